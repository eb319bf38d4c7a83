// An emergency override ends early (its clinician, or a reviewer of a facility
// it concerns: lib/policy/override-access.ts) or at its end time (the
// override.expire job, expire-override-job.ts). Either way, once: every grant
// resting on it is revoked (its own self-access grants and any share a workflow
// made on it), the 110113/110138 stop event is recorded for each facility it
// concerns, and after the commit the sockets that read through those grants are
// closed. Race-safe: the end is an updateMany where it is still running, the
// stop is claimed by an updateMany where stopRecordedAt is null, and a share
// resting on it locks the same row (lib/policy/share-basis.ts), so a share
// racing the end either fails or has its grant revoked here.
import type { Database, Prisma } from '../../prisma/database';
import { closeRevokedSockets } from '../grants/close-revoked-sockets';
import { revokeGrants, type RevokedGrant } from '../grants/revoke-grants';
import { authorizeOverrideAccess, facilitiesOfOverride } from '../policy/override-access';
import type { Principal } from '../policy/principal';
import { EMERGENCY_OVERRIDE_STOPPED, recordOverrideAudit } from './override-audit';
import { OVERRIDE_GRANT_REASON, type OverrideContext } from './override-types';

export interface EndedOverride {
  id: string;
  endedAt: Date | null;
  /** The grants this call revoked (0 when it had ended already) */
  grantsEnded: number;
  socketsClosed: number;
}

/** Ends the override now (NOT_FOUND for anyone who may not see it); ending one that has ended changes nothing. */
export async function endOverride(context: Pick<OverrideContext, 'db' | 'io'>, actor: Principal, overrideId: string, now = new Date()): Promise<EndedOverride> {
  await authorizeOverrideAccess(context.db, actor.userId, overrideId);
  return stopOverride(context, overrideId, { how: 'ended', actor }, now);
}

/** The expiry job's half: records the stop of an override whose time ran out (nothing if it was recorded already). */
export async function expireOverride(context: Pick<OverrideContext, 'db' | 'io'>, overrideId: string, now = new Date()): Promise<EndedOverride> {
  return stopOverride(context, overrideId, { how: 'expired', actor: null }, now);
}

async function stopOverride(context: { db: Database; io?: OverrideContext['io'] }, overrideId: string, stop: OverrideStop, now: Date): Promise<EndedOverride> {
  const { db } = context;
  const revoked = await db.$transaction((tx) => stopOverrideInTransaction(tx, overrideId, stop, now));
  const socketsClosed = revoked ? await closeRevokedSockets({ db, io: context.io }, revoked) : 0;
  const row = await db.emergencyOverride.findUniqueOrThrow({ where: { id: overrideId }, select: { endedAt: true } });
  return { id: overrideId, endedAt: row.endedAt, grantsEnded: revoked?.length ?? 0, socketsClosed };
}

export interface OverrideStop {
  how: 'ended' | 'expired';
  actor: Principal | null;
}

/**
 * The stop inside the caller's transaction (a workflow that ends its own basis, such as a
 * cancelled transfer notice, commits its change and the stop together). Returns the grants
 * it revoked, for closeRevokedSockets after the commit; null when it had stopped already.
 */
export async function stopOverrideInTransaction(tx: Prisma.TransactionClient, overrideId: string, stop: OverrideStop, now: Date): Promise<RevokedGrant[] | null> {
  if (stop.how === 'ended') {
    await tx.emergencyOverride.updateMany({ where: { id: overrideId, endedAt: null, endsAt: { gt: now } }, data: { endedAt: now, endedById: stop.actor?.userId ?? null } });
  }
  // Once: whoever claims stopRecordedAt records the stop (an end racing the expiry job, a job run twice)
  const claimed = await tx.emergencyOverride.updateMany({ where: { id: overrideId, stopRecordedAt: null, OR: [{ endedAt: { not: null } }, { endsAt: { lte: now } }] }, data: { stopRecordedAt: now } });
  if (claimed.count !== 1) return null;
  const override = await tx.emergencyOverride.findUniqueOrThrow({ where: { id: overrideId } });
  const facilityIds = await facilitiesOfOverride(tx, override);
  const grants = await tx.accessGrant.findMany({ where: { overrideId, revokedAt: null }, select: { id: true } });
  const ended = grants.length
    ? await revokeGrants(tx, { ids: grants.map((grant) => grant.id) }, { revokedById: stop.actor?.userId ?? null, reason: OVERRIDE_GRANT_REASON[stop.how] }, now)
    : [];
  const actor = stop.actor ? { userId: stop.actor.userId, email: stop.actor.email, ip: stop.actor.ip } : null;
  await recordOverrideAudit(tx, actor, override, facilityIds, 'override.stop', { eventTypeCode: EMERGENCY_OVERRIDE_STOPPED, grantsEnded: ended.length, how: stop.how });
  return ended;
}
