import type { Readable } from 'node:stream';

/**
 * Blob storage: a small interface keyed by id (STYLE.md, after Orthanc). The
 * filesystem implementation is durable (temp file, fsync, rename); tiers are
 * more implementations, not special cases.
 */
export interface BlobStore {
  /** Stores bytes durably under key; resolves only after the data is on disk. */
  put(key: string, data: Buffer): Promise<void>;
  /** The whole blob; throws ArchiveError NOT_FOUND if absent. */
  get(key: string): Promise<Buffer>;
  /** [start, start+length) of the blob. */
  getRange(key: string, start: number, length: number): Promise<Buffer>;
  /** A stream of the whole blob (for large retrieves). */
  stream(key: string): Readable;
  exists(key: string): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** A probe for health checks: can we write and read here now? */
  check(): Promise<void>;
}
