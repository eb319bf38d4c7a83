// What one STOW-RS request may cost the archive: bytes per request and per
// part (instance), and how many uploads one user may run at once. Memory does
// not grow with either size (parts stream to disk, instance-receiver.ts);
// these bound disk, time and file descriptors.
import { ArchiveError } from '../errors';

export interface StowLimits {
  /** A request body above this: 413 (refused at once when Content-Length says so) */
  maxRequestBytes: number;
  /** One part (one instance) above this: 413 if nothing was stored, else reported as failed */
  maxPartBytes: number;
  /** STOW requests one user (or API token, or HTTP Basic account) may have in progress: the next gets 503 + Retry-After */
  concurrentPerUser: number;
  /** Seconds a refused client is asked to wait (Retry-After) */
  retryAfterSeconds: number;
}

const MIB = 1024 * 1024;

export const DEFAULT_STOW_LIMITS: StowLimits = {
  maxRequestBytes: 4096 * MIB,
  maxPartBytes: 2048 * MIB,
  concurrentPerUser: 4,
  retryAfterSeconds: 5,
};

/** Counts each user's STOW requests in progress; one per HTTP handler (process). */
export class UploadGate {
  private readonly running = new Map<string, number>();

  constructor(private readonly limits: Pick<StowLimits, 'concurrentPerUser' | 'retryAfterSeconds'>) {}

  /** A release function, or ArchiveError BUSY when `who` already runs the maximum. */
  enter(who: string): () => void {
    const count = this.running.get(who) ?? 0;
    if (count >= this.limits.concurrentPerUser) {
      throw new ArchiveError(
        'BUSY',
        `too many uploads at once: at most ${this.limits.concurrentPerUser} STOW requests per user may run together; retry after ${this.limits.retryAfterSeconds} s`,
        { retryAfterSeconds: this.limits.retryAfterSeconds, limit: this.limits.concurrentPerUser },
      );
    }
    this.running.set(who, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.running.get(who) ?? 1) - 1;
      if (left > 0) this.running.set(who, left);
      else this.running.delete(who);
    };
  }

  inProgress(who: string): number {
    return this.running.get(who) ?? 0;
  }
}
