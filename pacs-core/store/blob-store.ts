import type { Readable } from 'node:stream';

/**
 * Blob storage: a small interface keyed by id (STYLE.md, after Orthanc). The
 * filesystem implementation is durable (temp file, fsync, rename); tiers are
 * more implementations, not special cases.
 */
export interface BlobStore {
  /**
   * Starts a blob whose bytes are written as they arrive (a C-STORE dataset
   * while its PDUs come in), so that little is left to do when the last one
   * has: fsync, then give it its key. ingest() writes every blob this way.
   */
  begin(): IncomingBlob;
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
  /** Free and total bytes where the blobs live, where the store can tell (a file system; not S3) */
  space?(): Promise<{ freeBytes: number; totalBytes: number }>;
}

/** A blob being written, not yet under a key: invisible to readers until commit(). */
export interface IncomingBlob {
  /** Appends bytes. The write goes on in the background; its errors surface in finish(). */
  write(chunk: Buffer): void;
  /**
   * Reads back [position, position + length) of what was written (fewer bytes
   * at its end), before commit: ingest reads a large instance's Pixel Data
   * items this way instead of holding the instance in memory.
   */
  read(position: number, length: number): Promise<Buffer>;
  /** Waits until every byte is durable (fsync); the size written. Nothing may be written after. */
  finish(): Promise<{ size: number }>;
  /** Finishes, then gives the blob its key atomically (a reader sees all of it or none), replacing a blob under that key. */
  commit(key: string): Promise<void>;
  /** Leaves nothing behind. Safe at any time and more than once; after commit() it does nothing. */
  discard(): Promise<void>;
}
