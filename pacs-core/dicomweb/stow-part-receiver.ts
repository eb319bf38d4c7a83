// One STOW-RS part on its way in: every piece goes to an incoming blob in the
// store as it arrives (the same temp file C-STORE writes, BlobStore.begin()),
// so the request never holds an instance in memory beyond IN_MEMORY_PART_BYTES.
// A small part is also kept whole for ingest's in-memory parse; a large one
// keeps only its head (for the header) and is hashed on the way.
import { createHash, type Hash } from 'node:crypto';
import type { StreamedInstance } from '../ingest';
import type { BlobStore, IncomingBlob } from '../store/blob-store';

export type ReceivedPart = { kind: 'whole'; bytes: Buffer; incoming: IncomingBlob } | ({ kind: 'streamed' } & StreamedInstance);

export class StowPartReceiver {
  private readonly incoming: IncomingBlob;
  private readonly held: Buffer[] = [];
  private heldBytes = 0;
  private size = 0;
  /** Set once the part outgrows memoryLimit */
  private hash: Hash | undefined;

  constructor(
    store: BlobStore,
    private readonly memoryLimit: number,
  ) {
    this.incoming = store.begin();
  }

  write(chunk: Buffer): void {
    this.incoming.write(chunk);
    this.size += chunk.length;
    if (!this.hash && this.size > this.memoryLimit) {
      this.hash = createHash('sha256');
      for (const piece of this.held) this.hash.update(piece);
    }
    // Keep the head (at most memoryLimit bytes); copy, the parser's buffer is not ours
    const room = this.memoryLimit - this.heldBytes;
    if (room > 0) {
      const piece = Buffer.from(chunk.subarray(0, room));
      this.held.push(piece);
      this.heldBytes += piece.length;
      if (this.hash) {
        this.hash.update(piece);
        if (piece.length < chunk.length) this.hash.update(chunk.subarray(piece.length));
      }
    } else this.hash?.update(chunk);
  }

  /** The part, for archive.ingest(), which then owns the incoming blob. */
  finish(): ReceivedPart {
    const head = this.held.length === 1 ? this.held[0] : Buffer.concat(this.held);
    if (!this.hash) return { kind: 'whole', bytes: head, incoming: this.incoming };
    return { kind: 'streamed', head, size: this.size, sha256: this.hash.digest('hex'), incoming: this.incoming };
  }

  /** Nothing of the part stays behind (a refused or interrupted upload). */
  discard(): Promise<void> {
    return this.incoming.discard();
  }
}
