import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, unlink, readFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { ArchiveError } from '../errors';
import type { BlobStore } from './blob-store';

/** Keys are relative paths of safe characters; nothing may escape the root. */
const SAFE_KEY = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

export class FsBlobStore implements BlobStore {
  private readonly knownDirs = new Set<string>();

  constructor(readonly root: string) {}

  private pathOf(key: string): string {
    if (!SAFE_KEY.test(key) || key.split('/').some((part) => part === '..' || part === '.')) {
      throw new ArchiveError('INTERNAL', `invalid blob key "${key}"`);
    }
    return path.join(this.root, key);
  }

  async put(key: string, data: Buffer): Promise<void> {
    const target = this.pathOf(key);
    const dir = path.dirname(target);
    const newDir = !this.knownDirs.has(dir);
    if (newDir) {
      await mkdir(dir, { recursive: true });
      this.knownDirs.add(dir);
    }
    // Write a temp file in the same directory, fsync it, then rename: a reader
    // or a crash never sees a half-written blob under the real key.
    const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      const handle = await open(temp, 'wx');
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, target);
      if (newDir) await syncDirectory(dir);
    } catch (error) {
      await rm(temp, { force: true });
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

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.pathOf(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw storageError(error, key);
    }
  }

  async check(): Promise<void> {
    const key = `.health/${process.pid}`;
    await this.put(key, Buffer.from('ok'));
    const back = await this.get(key);
    await this.delete(key);
    if (back.toString() !== 'ok') throw new ArchiveError('STORAGE_FAILURE', `storage at ${this.root} returned other bytes`);
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
  return new ArchiveError('STORAGE_FAILURE', `storage error on ${key}: ${code ?? (error as Error).message}`);
}
