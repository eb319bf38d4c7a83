import { close, createReadStream, existsSync, fsync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { open, readdir, rm, rmdir, stat, statfs, unlink, readFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { ArchiveError } from '../errors';
import type { BlobStore, IncomingBlob } from './blob-store';

const fsyncFile = promisify(fsync);
const closeFile = promisify(close);

/** Where blobs are written before they get their key; leftovers of a crash are removed at the first write. */
const INCOMING_DIR = '.incoming';
const STALE_INCOMING_MS = 60 * 60_000;

/** Keys are relative paths of safe characters; nothing may escape the root. */
const SAFE_KEY = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

export class FsBlobStore implements BlobStore {
  private readonly knownDirs = new Set<string>();
  private incomingDir: string | undefined;

  /** The root as an absolute path: blob paths and their directories are compared with it */
  private readonly base: string;

  constructor(readonly root: string) {
    this.base = path.resolve(root);
  }

  begin(): IncomingBlob {
    if (!this.incomingDir) {
      const dir = path.join(this.root, INCOMING_DIR);
      try {
        mkdirSync(dir, { recursive: true });
        this.incomingDir = dir;
        void removeStale(dir);
      } catch {
        // the blob's open fails the same way and finish() reports it
      }
    }
    const temp = path.join(this.root, INCOMING_DIR, `${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
    return new FsIncomingBlob(temp, (key) => this.adopt(temp, key));
  }

  /**
   * Moves a durable temp file under key (same filesystem: an atomic rename).
   * The rename is a metadata change of microseconds, done on this thread like
   * the incoming writes; a new directory is fsynced (on the pool) so that the
   * file's entry survives a crash.
   */
  private async adopt(temp: string, key: string): Promise<void> {
    const target = this.pathOf(key);
    const dir = path.dirname(target);
    let newDir = !this.knownDirs.has(dir);
    if (newDir) mkdirSync(dir, { recursive: true });
    // Directories exist only for files in them: the key's directory is made
    // here, at the rename, never earlier, and delete() removes it once empty.
    // A delete of the last file of the directory may remove it between the
    // mkdir and the rename (it runs on the pool): then make it again.
    for (let attempt = 0; ; attempt++) {
      try {
        renameSync(temp, target);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 5 || !existsSync(temp)) throw error;
        this.knownDirs.delete(dir);
        mkdirSync(dir, { recursive: true });
        newDir = true;
      }
    }
    if (newDir) {
      await syncDirectory(dir);
      this.knownDirs.add(dir);
    }
  }

  private pathOf(key: string): string {
    if (!SAFE_KEY.test(key) || key.split('/').some((part) => part === '..' || part === '.')) {
      throw new ArchiveError('INTERNAL', `invalid blob key "${key}"`);
    }
    return path.join(this.base, key);
  }

  async put(key: string, data: Buffer): Promise<void> {
    const blob = this.begin();
    try {
      blob.write(data);
      await blob.commit(key);
    } catch (error) {
      await blob.discard();
      throw storageError(error, key);
    }
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      throw storageError(error, key);
    }
  }

  async getRange(key: string, start: number, length: number): Promise<Buffer> {
    let handle;
    try {
      handle = await open(this.pathOf(key), 'r');
      const buffer = Buffer.allocUnsafe(length);
      const { bytesRead } = await handle.read(buffer, 0, length, start);
      if (bytesRead !== length) throw new ArchiveError('STORAGE_FAILURE', `blob ${key} is shorter than expected`);
      return buffer;
    } catch (error) {
      throw storageError(error, key);
    } finally {
      await handle?.close();
    }
  }

  stream(key: string): Readable {
    return createReadStream(this.pathOf(key));
  }

  async exists(key: string): Promise<boolean> {
    try {
      await stat(this.pathOf(key));
      return true;
    } catch {
      return false;
    }
  }

  /** Removes the blob, then its directories up to the root as long as they are empty. */
  async delete(key: string): Promise<void> {
    const file = this.pathOf(key);
    try {
      await unlink(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw storageError(error, key);
    }
    for (let dir = path.dirname(file); dir.startsWith(this.base + path.sep); dir = path.dirname(dir)) {
      this.knownDirs.delete(dir);
      // ENOTEMPTY (another blob lives here) or ENOENT: stop, nothing above is empty either
      if (!(await rmdir(dir).then(() => true, () => false))) break;
    }
  }

  async space(): Promise<{ freeBytes: number; totalBytes: number }> {
    const stats = await statfs(this.root);
    return { freeBytes: stats.bavail * stats.bsize, totalBytes: stats.blocks * stats.bsize };
  }

  async check(): Promise<void> {
    const key = `.health/${process.pid}`;
    await this.put(key, Buffer.from('ok'));
    const back = await this.get(key);
    await this.delete(key);
    if (back.toString() !== 'ok') throw new ArchiveError('STORAGE_FAILURE', `storage at ${this.root} returned other bytes`);
  }
}

/**
 * A blob written to a temp file while its bytes arrive. open() and write()
 * only reach the page cache (about 0.1 ms each per 512 KB image here) and
 * run at once on the calling thread, as the chunks come: each hop through
 * the libuv pool waits for the event loop, which is busy with the next
 * PDUs, and measured slower than the work itself (bench/README.md). The
 * slow, disk-bound part, the fsync, runs on the pool while the caller
 * parses the header.
 */
class FsIncomingBlob implements IncomingBlob {
  private size = 0;
  private fd: number | undefined;
  /** The first failure of open or write, surfaced by finish() */
  private failure: unknown;
  private finishing: Promise<{ size: number }> | undefined;
  private state: 'open' | 'finished' | 'committed' | 'discarded' = 'open';

  constructor(
    private readonly temp: string,
    private readonly adopt: (key: string) => Promise<void>,
  ) {
    try {
      this.fd = openSync(temp, 'wx');
    } catch (error) {
      this.failure = error;
    }
  }

  write(chunk: Buffer): void {
    if (this.state !== 'open') throw new ArchiveError('INTERNAL', 'write to a finished blob');
    if (this.fd !== undefined && this.failure === undefined) {
      try {
        let done = 0;
        while (done < chunk.length) done += writeSync(this.fd, chunk, done, chunk.length - done, this.size + done);
      } catch (error) {
        this.failure = error;
      }
    }
    this.size += chunk.length;
  }

  async read(position: number, length: number): Promise<Buffer> {
    if (this.failure !== undefined) throw storageError(this.failure, 'incoming blob');
    if (this.state === 'committed' || this.state === 'discarded') throw new ArchiveError('INTERNAL', `read from a ${this.state} blob`);
    // By path: the write descriptor is write-only and is closed by finish()
    const handle = await open(this.temp, 'r');
    try {
      const buffer = Buffer.allocUnsafe(Math.max(0, Math.min(length, this.size - position)));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      return buffer.subarray(0, bytesRead);
    } catch (error) {
      throw storageError(error, 'incoming blob');
    } finally {
      await handle.close();
    }
  }

  finish(): Promise<{ size: number }> {
    this.finishing ??= this.sync();
    return this.finishing;
  }

  private async sync(): Promise<{ size: number }> {
    const discarded = this.state === 'discarded';
    if (this.state === 'open') this.state = 'finished';
    try {
      if (discarded) throw new ArchiveError('INTERNAL', 'the blob was discarded');
      if (this.failure !== undefined || this.fd === undefined) throw this.failure;
      await fsyncFile(this.fd);
      await this.closeFd();
    } catch (error) {
      await this.removeTemp();
      throw storageError(error, 'incoming blob');
    }
    return { size: this.size };
  }

  async commit(key: string): Promise<void> {
    if (this.state === 'committed' || this.state === 'discarded') throw new ArchiveError('INTERNAL', `blob for ${key} already ${this.state}`);
    await this.finish();
    try {
      await this.adopt(key);
    } catch (error) {
      await this.removeTemp();
      throw storageError(error, key);
    }
    this.state = 'committed';
  }

  async discard(): Promise<void> {
    if (this.state === 'committed' || this.state === 'discarded') return;
    this.state = 'discarded';
    // Never close the descriptor under a running fsync (it could be reused meanwhile)
    if (this.finishing) await this.finishing.catch(() => undefined);
    await this.removeTemp();
  }

  private async closeFd(): Promise<void> {
    const fd = this.fd;
    this.fd = undefined;
    if (fd !== undefined) await closeFile(fd);
  }

  private async removeTemp(): Promise<void> {
    await this.closeFd().catch(() => undefined);
    await rm(this.temp, { force: true }).catch(() => undefined);
  }
}

/** Removes what a crashed process left in the incoming directory. */
async function removeStale(dir: string): Promise<void> {
  const now = Date.now();
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const file = path.join(dir, name);
    const info = await stat(file).catch(() => undefined);
    if (info && now - info.mtimeMs > STALE_INCOMING_MS) await rm(file, { force: true }).catch(() => undefined);
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function storageError(error: unknown, key: string): ArchiveError {
  if (error instanceof ArchiveError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new ArchiveError('NOT_FOUND', `blob ${key} not found`);
  // First words first: a C-STORE's error comment keeps 64 characters
  if (code === 'ENOSPC' || code === 'EDQUOT') return new ArchiveError('STORAGE_FAILURE', `image store full (${code}); nothing stored of ${key}`, { outOfSpace: true });
  return new ArchiveError('STORAGE_FAILURE', `storage error on ${key}: ${code ?? (error as Error).message}`);
}
