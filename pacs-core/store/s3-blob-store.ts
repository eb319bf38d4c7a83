import { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { HeadObjectCommand, PutObjectCommand, UploadPartCommand, type CompletedPart, type S3Client } from '@aws-sdk/client-s3';
import { close, closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { open, readdir, rm, stat, type FileHandle } from 'node:fs/promises';
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { ArchiveError } from '../errors';
import type { BlobStore, IncomingBlob } from './blob-store';

/** The same keys as FsBlobStore's: relative paths of safe characters */
const SAFE_KEY = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;
const isSafeKey = (key: string) => SAFE_KEY.test(key) && !key.split('/').some((part) => part === '..' || part === '.');
const STALE_SPOOL_MS = 60 * 60_000;
const MIB = 1024 * 1024;
/** S3's limits: parts of 5 MiB to 5 GiB (the last may be smaller), at most 10,000 of them */
const [MIN_PART_BYTES, MAX_PART_BYTES, MAX_PARTS] = [5 * MIB, 5 * 1024 * MIB, 10_000];
/** Parts uploaded at once: the memory a commit takes is this many parts */
const PARTS_IN_FLIGHT = 4;
/** Error codes of S3 and compatible servers that mean "no room" (FsBlobStore: ENOSPC) */
const OUT_OF_SPACE = new Set(['InsufficientStorage', 'XMinioStorageFull', 'QuotaExceeded', 'XMinioAdminBucketQuotaExceeded', 'EntityTooLarge']);
const CHECKSUM_MISMATCH = new Set(['BadDigest', 'InvalidDigest', 'XAmzContentSHA256Mismatch']);

export interface S3BlobStoreOptions {
  client: S3Client;
  bucket: string;
  /** Prepended to every key ("a/b" and "a/b/" alike); several archives can share a bucket */
  prefix?: string;
  /** Where incoming blobs are written until commit (local disk; leftovers older than an hour are removed) */
  spoolDir: string;
  /** A blob up to this size is one PutObject, a larger one a multipart upload of parts this size; default 16 MiB */
  partSizeBytes?: number;
}

type ReadAt = (position: number, length: number) => Promise<Buffer>;

/**
 * Blobs as objects of an S3 bucket (AWS S3, Ceph radosgw, MinIO), shared by
 * several processes. An incoming blob is spooled to a local file, then
 * uploaded at commit with a SHA-256 of each request's body; S3 makes the
 * object visible whole when the PutObject or CompleteMultipartUpload
 * succeeds, which gives commit() its atomicity.
 */
export class S3BlobStore implements BlobStore {
  readonly client: S3Client;
  readonly bucket: string;
  /** s3://bucket/prefix/, for messages */
  readonly location: string;
  private readonly prefix: string;
  private readonly spoolDir: string;
  private readonly partSize: number;
  private spoolReady = false;

  constructor(options: S3BlobStoreOptions) {
    ({ client: this.client, bucket: this.bucket, spoolDir: this.spoolDir, partSizeBytes: this.partSize = 16 * MIB } = options);
    this.prefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '').replace(/.$/, '$&/');
    this.location = `s3://${this.bucket}/${this.prefix}`;
    if (!(this.partSize >= MIN_PART_BYTES && this.partSize <= MAX_PART_BYTES)) throw new Error(`S3 part size ${this.partSize}: must be between 5 MiB and 5 GiB (S3's limits)`);
  }

  begin(): IncomingBlob {
    if (!this.spoolReady) {
      try {
        mkdirSync(this.spoolDir, { recursive: true });
        this.spoolReady = true;
        void removeStale(this.spoolDir);
      } catch {
        // the blob's open fails the same way and finish() reports it
      }
    }
    return new S3IncomingBlob(this, path.join(this.spoolDir, `${process.pid}-${randomBytes(6).toString('hex')}.spool`));
  }

  private objectKey(key: string): string {
    if (!isSafeKey(key)) throw new ArchiveError('INTERNAL', `invalid blob key "${key}"`);
    return this.prefix + key;
  }

  /**
   * Uploads `size` bytes under key: one PutObject up to a part's size, else a
   * multipart upload, aborted on any failure so that no parts stay behind.
   * Resolves only once S3 has acknowledged the whole object.
   */
  async upload(read: ReadAt, size: number, key: string, signal?: AbortSignal): Promise<void> {
    const target = { Bucket: this.bucket, Key: this.objectKey(key) };
    if (size <= this.partSize) {
      const body = await read(0, size);
      await this.client.send(new PutObjectCommand({ ...target, Body: body, ContentLength: size, ChecksumAlgorithm: 'SHA256', ChecksumSHA256: sha256(body) }), { abortSignal: signal });
      return;
    }
    const partSize = Math.max(this.partSize, Math.ceil(size / MAX_PARTS));
    const count = Math.ceil(size / partSize);
    const { UploadId } = await this.client.send(new CreateMultipartUploadCommand({ ...target, ChecksumAlgorithm: 'SHA256' }), { abortSignal: signal });
    if (!UploadId) throw new ArchiveError('STORAGE_FAILURE', `${this.location} started a multipart upload of ${key} without an upload id`);
    const failed = new AbortController();
    const partSignal = signal ? AbortSignal.any([signal, failed.signal]) : failed.signal;
    let firstError: unknown;
    try {
      const parts: CompletedPart[] = [];
      let next = 0;
      const uploadParts = async () => {
        while (next < count && !partSignal.aborted) {
          const number = ++next;
          const start = (number - 1) * partSize;
          const body = await read(start, Math.min(partSize, size - start));
          const checksum = sha256(body);
          const part = new UploadPartCommand({ ...target, UploadId, PartNumber: number, Body: body, ContentLength: body.length, ChecksumAlgorithm: 'SHA256', ChecksumSHA256: checksum });
          const { ETag } = await this.client.send(part, { abortSignal: partSignal });
          parts[number - 1] = { PartNumber: number, ETag, ChecksumSHA256: checksum };
        }
      };
      const stop = (error: unknown) => void ((firstError ??= error), failed.abort());
      await Promise.all(Array.from({ length: Math.min(PARTS_IN_FLIGHT, count) }, () => uploadParts().catch(stop)));
      if (firstError !== undefined) throw firstError;
      signal?.throwIfAborted();
      await this.client.send(new CompleteMultipartUploadCommand({ ...target, UploadId, MultipartUpload: { Parts: parts } }), { abortSignal: signal });
    } catch (error) {
      // Best effort (s3rver, for one, has no AbortMultipartUpload); a bucket
      // lifecycle rule AbortIncompleteMultipartUpload catches what remains
      await this.client.send(new AbortMultipartUploadCommand({ ...target, UploadId })).catch(() => undefined);
      throw error;
    }
  }

  async put(key: string, data: Buffer): Promise<void> {
    const read = async (position: number, length: number) => data.subarray(position, position + length);
    await this.upload(read, data.length, key).catch((error: unknown) => Promise.reject(this.failure(error, key)));
  }

  async get(key: string): Promise<Buffer> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key), ChecksumMode: 'ENABLED' }));
      const bytes = Buffer.from((await response.Body?.transformToByteArray()) ?? []);
      if (response.ContentLength !== undefined && bytes.length !== response.ContentLength) throw this.shorter(key);
      return bytes;
    } catch (error) {
      throw this.failure(error, key);
    }
  }

  async getRange(key: string, start: number, length: number): Promise<Buffer> {
    try {
      const Key = this.objectKey(key);
      if (length <= 0) {
        await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }));
        return Buffer.alloc(0);
      }
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key, Range: `bytes=${start}-${start + length - 1}` }));
      let bytes = Buffer.from((await response.Body?.transformToByteArray()) ?? []);
      // A server may send more than the range (HTTP allows ignoring Range): keep what was asked
      const first = Number(/^bytes (\d+)-/.exec(response.ContentRange ?? '')?.[1] ?? 0);
      if (bytes.length > length && start >= first) bytes = bytes.subarray(start - first, start - first + length);
      if (bytes.length !== length) throw this.shorter(key);
      return bytes;
    } catch (error) {
      const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
      throw name === 'InvalidRange' || $metadata?.httpStatusCode === 416 ? this.shorter(key) : this.failure(error, key);
    }
  }

  /** The blob as it arrives from S3; failures (NOT_FOUND included) come as an 'error' event with an ArchiveError. */
  stream(key: string): Readable {
    const command = new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key), ChecksumMode: 'ENABLED' });
    const out = new PassThrough();
    const request = new AbortController();
    out.once('close', () => out.readableEnded || request.abort());
    this.client.send(command, { abortSignal: request.signal }).then(
      (response) => {
        const body = response.Body;
        if (!(body instanceof Readable)) return void out.destroy(this.failure(new Error('GetObject answered without a body stream'), key));
        if (out.destroyed) return void body.destroy();
        body.once('error', (error) => out.destroy(this.failure(error, key)));
        out.once('close', () => body.destroy());
        body.pipe(out);
      },
      (error: unknown) => void (out.destroyed || out.destroy(this.failure(error, key))),
    );
    return out;
  }

  async exists(key: string): Promise<boolean> {
    if (!isSafeKey(key)) return false; // like FsBlobStore: no blob is under an invalid key
    const found = this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
    return found.then(() => true, (error: unknown) => this.unlessNotFound(error, key, false));
  }

  /** Removes the object; an absent one is no error (S3 answers 204 either way). */
  async delete(key: string): Promise<void> {
    const Key = this.objectKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key })).catch((error: unknown) => this.unlessNotFound(error, key, undefined));
  }

  private unlessNotFound<T>(error: unknown, key: string, value: T): T {
    const failure = this.failure(error, key);
    if (failure.code === 'NOT_FOUND') return value;
    throw failure;
  }

  /** Writes, reads back and removes a small object under the prefix. */
  async check(): Promise<void> {
    const key = `.health/${process.pid}-${randomBytes(4).toString('hex')}`;
    const probe = Buffer.from(`telepacs health probe ${new Date().toISOString()}`);
    await this.put(key, probe);
    const back = await this.get(key).catch(async (error: unknown) => {
      await this.delete(key).catch(() => undefined);
      throw error;
    });
    await this.delete(key);
    if (!back.equals(probe)) throw new ArchiveError('STORAGE_FAILURE', `storage at ${this.location} returned other bytes than written`);
  }

  private shorter = (key: string) => new ArchiveError('STORAGE_FAILURE', `blob ${key} is shorter than expected`);

  /** An SDK, network or file error as an ArchiveError: NOT_FOUND for an absent object, STORAGE_FAILURE otherwise. */
  failure(error: unknown, key: string): ArchiveError {
    if (error instanceof ArchiveError) return error;
    const { name = 'Error', code, path: file, message = String(error), $metadata } = error as NodeJS.ErrnoException & { $metadata?: { httpStatusCode?: number } };
    const status = $metadata?.httpStatusCode;
    if (name === 'NoSuchKey' || name === 'NotFound') return new ArchiveError('NOT_FOUND', `blob ${key} not found`);
    let reason: string;
    if (status === 507 || OUT_OF_SPACE.has(name)) reason = `out of space (${name}${status ? `, HTTP ${status}` : ''})`;
    else if (CHECKSUM_MISMATCH.has(name) || /checksum mismatch/i.test(message)) reason = `checksum mismatch (${name}: ${message})`;
    else if (name === 'NoSuchBucket') reason = 'the bucket does not exist';
    else if (name === 'AbortError') reason = 'the upload was cancelled (the blob was discarded)';
    else if (code) reason = file ? `${code} on ${file}` : code; // a network error, or one of the local spool file
    else reason = `${name}${status ? ` (HTTP ${status})` : ''}: ${message}`;
    const details = { s3Code: name, httpStatus: status, outOfSpace: reason.startsWith('out of space') };
    // First words first: a C-STORE's error comment keeps 64 characters
    if (details.outOfSpace) return new ArchiveError('STORAGE_FAILURE', `image store full: ${reason} at ${this.location}; nothing stored of ${key}`, details);
    return new ArchiveError('STORAGE_FAILURE', `storage error on ${key} at ${this.location}: ${reason}`, details);
  }
}

/**
 * A blob spooled to a local file while its bytes arrive (synchronous writes,
 * as in FsBlobStore: they only reach the page cache), uploaded at commit.
 * No fsync: the blob is durable when S3 has acknowledged it.
 */
class S3IncomingBlob implements IncomingBlob {
  private size = 0;
  private fd: number | undefined;
  /** The first failure of open or write, surfaced by finish() */
  private failure: unknown;
  private finishing: Promise<{ size: number }> | undefined;
  private committing: Promise<void> | undefined;
  private readonly cancel = new AbortController();
  private state: 'open' | 'finished' | 'committing' | 'committed' | 'discarded' = 'open';

  constructor(
    private readonly store: S3BlobStore,
    private readonly file: string,
  ) {
    try {
      this.fd = openSync(file, 'wx');
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
    if (this.failure !== undefined) throw this.store.failure(this.failure, 'incoming blob');
    if (this.state === 'committed' || this.state === 'discarded') throw new ArchiveError('INTERNAL', `read from a ${this.state} blob`);
    let handle: FileHandle | undefined;
    try {
      handle = await open(this.file, 'r');
      return await readFully(handle, position, Math.max(0, Math.min(length, this.size - position)));
    } catch (error) {
      throw this.store.failure(error, 'incoming blob');
    } finally {
      await handle?.close();
    }
  }

  finish(): Promise<{ size: number }> {
    this.finishing ??= this.close();
    return this.finishing;
  }

  private async close(): Promise<{ size: number }> {
    const discarded = this.state === 'discarded';
    if (this.state === 'open') this.state = 'finished';
    try {
      if (discarded) throw new ArchiveError('INTERNAL', 'the blob was discarded');
      if (this.failure !== undefined || this.fd === undefined) throw this.failure;
      closeSync(this.fd);
      this.fd = undefined;
    } catch (error) {
      await this.removeSpool();
      throw this.store.failure(error, 'incoming blob');
    }
    return { size: this.size };
  }

  commit(key: string): Promise<void> {
    if (this.state === 'committing' || this.state === 'committed' || this.state === 'discarded') {
      return Promise.reject(new ArchiveError('INTERNAL', `blob for ${key} already ${this.state}`));
    }
    this.state = 'committing';
    const committing = this.upload(key);
    this.committing = committing.catch(() => undefined);
    return committing;
  }

  private async upload(key: string): Promise<void> {
    let handle: FileHandle | undefined;
    try {
      const { size } = await this.finish();
      this.cancel.signal.throwIfAborted();
      handle = await open(this.file, 'r');
      const spool = handle;
      await this.store.upload((position, length) => readFully(spool, position, length), size, key, this.cancel.signal);
      this.state = 'committed';
    } catch (error) {
      this.state = 'discarded';
      throw this.store.failure(error, key);
    } finally {
      await handle?.close().catch(() => undefined);
      await this.removeSpool();
    }
  }

  async discard(): Promise<void> {
    if (this.state === 'committing') {
      this.cancel.abort();
      await this.committing;
    }
    if (this.state === 'committed' || this.state === 'discarded') return;
    this.state = 'discarded';
    if (this.finishing) await this.finishing.catch(() => undefined);
    await this.removeSpool();
  }

  private async removeSpool(): Promise<void> {
    const fd = this.fd;
    this.fd = undefined;
    if (fd !== undefined) await new Promise((resolve) => close(fd, resolve));
    await rm(this.file, { force: true }).catch(() => undefined);
  }
}

async function readFully(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  for (let done = 0; done < length; ) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) throw new ArchiveError('STORAGE_FAILURE', 'the spooled blob is shorter than written');
    done += bytesRead;
  }
  return buffer;
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('base64');
}

/** Removes what a crashed process left in the spool directory. */
async function removeStale(dir: string): Promise<void> {
  const now = Date.now();
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.endsWith('.spool')) continue;
    const file = path.join(dir, name);
    const info = await stat(file).catch(() => undefined);
    if (info && now - info.mtimeMs > STALE_SPOOL_MS) await rm(file, { force: true }).catch(() => undefined);
  }
}
