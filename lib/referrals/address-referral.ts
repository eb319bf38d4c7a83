// What happens, inside the transaction, whenever a case goes to an addressee
// (created and sent, sent from a draft, redirected after a decline, forwarded):
// the previous holders' grants end, the addressee's begin, the due time is
// set from the receiving service's turnaround (kept when forwarded: the
// patient's clock does not restart), and the escalation job waits for it.
import type { Prisma } from '../../prisma/database';
import { enqueueJob } from '../jobs/enqueue-job';
import { grantReferralReads, revokeReferralReads, type RevokedGrant } from '../grants';
import { dueAtFor, type ReferralPriority } from './due-time';
import type { ReferralRow } from './load-referral';

export type ReferralTx = Prisma.TransactionClient;

export interface Addressee {
  targetUserId: string | null;
  targetServiceId: string | null;
  targetFacilityId: string;
}

export interface AddressOutcome {
  dueAt: Date;
  revoked: RevokedGrant[];
}

export async function addressReferral(
  tx: ReferralTx,
  referral: Pick<ReferralRow, 'id' | 'facilityId' | 'priority' | 'dueAt' | 'studies' | 'revision' | 'overrideId'>,
  addressee: Addressee,
  actorId: string,
  options: { keepDueAt: boolean; reason: string },
  now: Date,
): Promise<AddressOutcome> {
  const revoked = await revokeReferralReads(tx, referral.id, { revokedById: actorId, reason: options.reason });
  await grantReferralReads(tx, referral.id, referral.studies, addressee.targetServiceId ? { serviceId: addressee.targetServiceId } : { userId: addressee.targetUserId! }, actorId, now, referral.overrideId);
  const service = addressee.targetServiceId
    ? await tx.service.findUnique({ where: { id: addressee.targetServiceId }, select: { turnaroundStatMinutes: true, turnaroundUrgentMinutes: true, turnaroundRoutineMinutes: true } })
    : null;
  const dueAt = options.keepDueAt && referral.dueAt ? referral.dueAt : dueAtFor(service, referral.priority as ReferralPriority, now);
  await scheduleEscalation(tx, referral, dueAt);
  return { dueAt, revoked };
}

/**
 * The escalation job of this addressing (one per case, revision and due time:
 * enqueueing again does nothing). The revision is in the key because a forward
 * keeps the due time but clears escalatedAt: the new addressee of a case already
 * escalated needs a job of its own (the job of an earlier addressing that finds
 * the case escalated, or with another due time, does nothing).
 */
export async function scheduleEscalation(tx: ReferralTx, referral: Pick<ReferralRow, 'id' | 'facilityId' | 'revision'>, dueAt: Date): Promise<void> {
  await enqueueJob(tx, { type: 'referral.escalate', key: `${referral.id}:${referral.revision}:${dueAt.toISOString()}`, payload: { referralId: referral.id, dueAt: dueAt.toISOString() }, facilityId: referral.facilityId, runAt: dueAt });
}
