// One instance on its way in, for every door that receives one as a stream
// (a STOW-RS part, a C-STORE dataset): every piece goes to an incoming blob
// in the store as it arrives (BlobStore.begin()), so the door never holds an
// instance in memory beyond IN_MEMORY_INSTANCE_BYTES. A small instance is
// also kept whole for ingest's in-memory parse; a large one keeps only its
// head (for the header) and is hashed on the way.
import { createHash, type Hash } from 'node:crypto';
import type { StreamedInstance } from './ingest';
import type { IncomingBlob } from './store/blob-store';

const MIB = 1024 * 1024;

/**
 * Instances up to this size are kept in memory (and written to disk as they
 * arrive) so ingest parses them whole; larger ones are parsed from their
 * first bytes and the file (dicom/parse-instance-head.ts). Holds the header
 * of a large instance too, so it bounds the header (everything before Pixel
 * Data) of an instance above it. 32 MiB: a CT/MR/CR/DX image and most
 * mammograms and encapsulated PDFs stay on the in-memory path; with 4 STOW
 * uploads per user that is at most 128 MiB per user, and one C-STORE
 * association receives one dataset at a time.
 */
export const IN_MEMORY_INSTANCE_BYTES = 32 * MIB;

export type ReceivedInstance = { kind: 'whole'; bytes: Buffer; incoming: IncomingBlob } | ({ kind: 'streamed' } & StreamedInstance);

export interface InstanceReceiverOptions {
  /** Default IN_MEMORY_INSTANCE_BYTES */
  memoryLimit?: number;
  /**
   * The caller hands its chunks over (C-STORE: each PDV is a buffer of its
   * own): they are kept as they are, and a small instance costs one
   * Buffer.concat. Otherwise (a multipart parser, whose chunks are views
   * valid until its next event) the kept bytes are copied.
   */
  chunksHandedOver?: boolean;
}

export class InstanceReceiver {
  private readonly held: Buffer[] = [];
  private readonly memoryLimit: number;
  private readonly copy: boolean;
  private heldBytes = 0;
  private size = 0;
  /** Set once the instance outgrows memoryLimit */
  private hash: Hash | undefined;

  constructor(
    readonly incoming: IncomingBlob,
    options: InstanceReceiverOptions = {},
  ) {
    this.memoryLimit = options.memoryLimit ?? IN_MEMORY_INSTANCE_BYTES;
    this.copy = !options.chunksHandedOver;
  }

  write(chunk: Buffer): void {
    this.incoming.write(chunk);
    this.size += chunk.length;
    if (!this.hash && this.size > this.memoryLimit) {
      this.hash = createHash('sha256');
      for (const piece of this.held) this.hash.update(piece);
    }
    // Keep the head (at most memoryLimit bytes)
    const room = this.memoryLimit - this.heldBytes;
    if (room > 0) {
      const kept = chunk.length <= room ? chunk : chunk.subarray(0, room);
      const piece = this.copy ? Buffer.from(kept) : kept;
      this.held.push(piece);
      this.heldBytes += piece.length;
      if (this.hash) {
        this.hash.update(piece);
        if (piece.length < chunk.length) this.hash.update(chunk.subarray(piece.length));
      }
    } else this.hash?.update(chunk);
  }

  /** The instance, for archive.ingest(), which then owns the incoming blob. */
  finish(): ReceivedInstance {
    const head = this.held.length === 1 ? this.held[0] : Buffer.concat(this.held);
    this.held.length = 0;
    if (!this.hash) return { kind: 'whole', bytes: head, incoming: this.incoming };
    return { kind: 'streamed', head, size: this.size, sha256: this.hash.digest('hex'), incoming: this.incoming };
  }

  /** Nothing of the instance stays behind (a refused or interrupted transfer). */
  discard(): Promise<void> {
    return this.incoming.discard();
  }
}

/** archive.ingest()'s input and its incoming option for a received instance. */
export function ingestInputOf(received: ReceivedInstance): { input: Buffer | StreamedInstance; incoming?: IncomingBlob } {
  return received.kind === 'whole' ? { input: received.bytes, incoming: received.incoming } : { input: received };
}
