import { Readable } from 'node:stream';
import { ArchiveError } from '../errors';
import type { BlobStore, IncomingBlob } from './blob-store';

/** In-memory blob store for unit tests of code above the store. */
export class MemoryBlobStore implements BlobStore {
  readonly blobs = new Map<string, Buffer>();

  begin(): IncomingBlob {
    const chunks: Buffer[] = [];
    let state: 'open' | 'finished' | 'done' = 'open';
    const finish = async () => {
      state = state === 'open' ? 'finished' : state;
      return { size: chunks.reduce((sum, chunk) => sum + chunk.length, 0) };
    };
    return {
      write: (chunk) => {
        if (state !== 'open') throw new ArchiveError('INTERNAL', 'write to a finished blob');
        chunks.push(Buffer.from(chunk));
      },
      read: async (position, length) => Buffer.concat(chunks).subarray(position, position + length),
      finish,
      commit: async (key) => {
        if (state === 'done') throw new ArchiveError('INTERNAL', 'blob already committed or discarded');
        await finish();
        this.blobs.set(key, Buffer.concat(chunks));
        state = 'done';
      },
      discard: async () => {
        state = 'done';
        chunks.length = 0;
      },
    };
  }
  async put(key: string, data: Buffer): Promise<void> {
    this.blobs.set(key, Buffer.from(data));
  }
  async get(key: string): Promise<Buffer> {
    const blob = this.blobs.get(key);
    if (!blob) throw new ArchiveError('NOT_FOUND', `blob ${key} not found`);
    return blob;
  }
  async getRange(key: string, start: number, length: number): Promise<Buffer> {
    const blob = await this.get(key);
    if (start + length > blob.length) throw new ArchiveError('STORAGE_FAILURE', `blob ${key} is shorter than expected`);
    return blob.subarray(start, start + length);
  }
  stream(key: string): Readable {
    const blob = this.blobs.get(key);
    return blob ? Readable.from([blob]) : new Readable({ read() { this.destroy(new ArchiveError('NOT_FOUND', `blob ${key} not found`)); } });
  }
  async exists(key: string): Promise<boolean> {
    return this.blobs.has(key);
  }
  async delete(key: string): Promise<void> {
    this.blobs.delete(key);
  }
  async check(): Promise<void> {}
}
