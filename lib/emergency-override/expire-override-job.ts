// The durable job enqueued at an override's end (declare-override.ts, runAt =
// endsAt): it ends the override's grants and records the 110138 stop, once,
// even when no portal process was running at that moment. An override ended
// early has recorded its stop already: the job finds nothing to do.
import { defineJob } from '../jobs/registry';
import { expireOverride } from './end-override';

export interface ExpireOverridePayload {
  overrideId: string;
  /** The end this job was enqueued for (ISO), when the end can move (a transfer notice's ETA and arrival); absent: the override's one end */
  endsAt?: string;
}

/** `now`: the clock (tests move it; the node's runner uses the real one) */
export const createExpireOverrideJob = (options: { now?: () => Date } = {}) =>
  defineJob('override.expire', async (payload, { db, io }) => {
    const now = options.now?.() ?? new Date();
    const override = await db.emergencyOverride.findUnique({ where: { id: payload.overrideId }, select: { endsAt: true, endedAt: true, stopRecordedAt: true } });
    if (!override || override.stopRecordedAt) return;
    // A runner whose clock is behind the one that enqueued: try again (with backoff) until its end
    if (!override.endedAt && override.endsAt > now) {
      // Moved later since (a transfer's new ETA, its arrival): the job of the new end does it
      if (payload.endsAt && payload.endsAt !== override.endsAt.toISOString()) return;
      throw new Error('emergency override not due to end yet');
    }
    await expireOverride({ db, io }, payload.overrideId, now);
  });
