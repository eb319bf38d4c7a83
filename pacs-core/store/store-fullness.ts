// Whether the image store has been refusing images for want of room (a full
// disk, a bucket over its quota): a small health probe may still fit where a
// 500 KB image does not, so the archive remembers its last such refusal
// until the next image is stored. /api/health answers it as "storage full"
// (lib/health) and the administration's Storage page says so (lib/storage).
// Per process: each process of a node learns it from its own refusals.
import { isArchiveError } from '../errors';

export interface StoreRefusal {
  /** When the first refusal of this spell happened */
  since: Date;
  /** The last refusal's message (e.g. "image store full (ENOSPC); nothing stored of …") */
  message: string;
  /** Images refused since then */
  refused: number;
}

export class StoreFullness {
  private refusal: StoreRefusal | undefined;

  /** Notes an ingest failure; only "no room" failures count */
  noteFailure(error: unknown, now = new Date()): void {
    if (!isStoreFull(error)) return;
    this.refusal = { since: this.refusal?.since ?? now, message: (error as Error).message, refused: (this.refusal?.refused ?? 0) + 1 };
  }

  noteStored(): void {
    this.refusal = undefined;
  }

  /** The refusals since the last stored image, if any */
  get current(): StoreRefusal | undefined {
    return this.refusal;
  }
}

export function isStoreFull(error: unknown): boolean {
  return isArchiveError(error) && error.code === 'STORAGE_FAILURE' && error.details.outOfSpace === true;
}
