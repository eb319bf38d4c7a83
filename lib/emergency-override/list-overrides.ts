// The review queue: the overrides concerning the facilities where the user is a
// privacy officer or an admin (lib/policy/override-access.ts), PENDING first,
// newest first; who opened it, for which patient, why, from when to when, how
// many grants it made and how many accesses the audit trail holds under it.
// Nobody else sees any: a user who reviews for no facility (or not for the one
// asked) gets NOT_FOUND.
import { DomainError } from '../errors';
import { overrideReviewerFacilities, overridesConcerningWhere } from '../policy/override-access';
import { PolicyError } from '../policy/errors';
import { overrideReasonWords, type OverrideReviewStatus } from './override-reasons';
import type { OverrideContext } from './override-types';

export const OVERRIDE_LIST_LIMIT = 200;

export type OverrideState = 'RUNNING' | 'ENDED' | 'EXPIRED';

export interface OverrideRow {
  id: string;
  declaredBy: { id: string; name: string; email: string };
  actingFacility: { id: string; name: string };
  patient: { ref: string; patientId: string; name: string; facility: { id: string; name: string } };
  reasonCode: string;
  reasonText: string;
  /** The reason in words, as the banner shows it */
  reason: string;
  startedAt: Date;
  endsAt: Date;
  endedAt: Date | null;
  endedBy: { id: string; name: string } | null;
  state: OverrideState;
  /** Study copies opened (grants resting on it: its own and any share made on it) */
  grants: number;
  /** Audit events of accesses under it (its own start, stop and review events not counted) */
  accesses: number;
  reviewStatus: OverrideReviewStatus;
  reviewedBy: { id: string; name: string } | null;
  reviewedAt: Date | null;
  reviewComment: string;
  /** The viewer may mark it (not their own) */
  mayReview: boolean;
}

export interface ListOverridesOptions {
  /** pending (default) or all */
  state?: string;
  /** Only this facility's queue (the admin page); default: every facility the user reviews for */
  facilityId?: string;
}

export async function listOverrides(context: Pick<OverrideContext, 'db'>, userId: string, options: ListOverridesOptions = {}, now = new Date()): Promise<OverrideRow[]> {
  const { db } = context;
  const state = options.state ?? 'pending';
  if (state !== 'pending' && state !== 'all') throw new DomainError('INVALID_INPUT', 'unknown state', { userMessage: 'Choose pending or all.', fields: { state: 'Choose pending or all' } });
  let facilityIds = await overrideReviewerFacilities(db, userId);
  if (options.facilityId) facilityIds = facilityIds.filter((id) => id === options.facilityId);
  if (!facilityIds.length) throw new PolicyError('NOT_FOUND', 'no review queue here');
  const concerning = await overridesConcerningWhere(db, facilityIds);
  const select = {
    id: true, userId: true, actingFacilityId: true, patientRef: true, patientFacilityId: true, patientId: true, patientName: true,
    reasonCode: true, reasonText: true, startedAt: true, endsAt: true, endedAt: true, endedById: true,
    reviewStatus: true, reviewedById: true, reviewedAt: true, reviewComment: true,
  } as const;
  const pending = await db.emergencyOverride.findMany({ where: { AND: [concerning, { reviewStatus: 'PENDING' }] }, orderBy: [{ startedAt: 'desc' }, { id: 'desc' }], take: OVERRIDE_LIST_LIMIT, select });
  const reviewed = state === 'all' && pending.length < OVERRIDE_LIST_LIMIT
    ? await db.emergencyOverride.findMany({ where: { AND: [concerning, { reviewStatus: { not: 'PENDING' } }] }, orderBy: [{ startedAt: 'desc' }, { id: 'desc' }], take: OVERRIDE_LIST_LIMIT - pending.length, select })
    : [];
  const rows = [...pending, ...reviewed];
  if (!rows.length) return [];

  const userIds = [...new Set(rows.flatMap((row) => [row.userId, row.endedById, row.reviewedById]).filter((id): id is string => id !== null))];
  const facilityIdsShown = [...new Set(rows.flatMap((row) => [row.actingFacilityId, row.patientFacilityId]))];
  const [users, facilities, grants] = await Promise.all([
    db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, name: true, email: true } }),
    db.facility.findMany({ where: { id: { in: facilityIdsShown } }, select: { id: true, name: true } }),
    db.accessGrant.groupBy({ by: ['overrideId'], where: { overrideId: { in: rows.map((row) => row.id) } }, _count: { _all: true } }),
  ]);
  const userOf = (id: string) => users.find((user) => user.id === id) ?? { id, name: 'unknown', email: '' };
  const facilityOf = (id: string) => facilities.find((facility) => facility.id === id) ?? { id, name: 'unknown' };
  const result: OverrideRow[] = [];
  for (const row of rows) {
    result.push({
      id: row.id,
      declaredBy: userOf(row.userId),
      actingFacility: facilityOf(row.actingFacilityId),
      patient: { ref: row.patientRef, patientId: row.patientId, name: row.patientName, facility: facilityOf(row.patientFacilityId) },
      reasonCode: row.reasonCode,
      reasonText: row.reasonText,
      reason: overrideReasonWords(row.reasonCode, row.reasonText),
      startedAt: row.startedAt,
      endsAt: row.endsAt,
      endedAt: row.endedAt,
      endedBy: row.endedById ? pick(userOf(row.endedById)) : null,
      state: row.endedAt ? 'ENDED' : row.endsAt <= now ? 'EXPIRED' : 'RUNNING',
      grants: grants.find((group) => group.overrideId === row.id)?._count._all ?? 0,
      accesses: await accessesUnder(context, row),
      reviewStatus: row.reviewStatus as OverrideReviewStatus,
      reviewedBy: row.reviewedById ? pick(userOf(row.reviewedById)) : null,
      reviewedAt: row.reviewedAt,
      reviewComment: row.reviewComment,
      mayReview: row.userId !== userId,
    });
  }
  return result;
}

function pick(user: { id: string; name: string }): { id: string; name: string } {
  return { id: user.id, name: user.name };
}

/**
 * The clinician's audit events that name the override (overrideId or overrideIds in
 * their details) since it started: by the (actorUserId, at) index, then the text.
 */
export async function accessesUnder(context: Pick<OverrideContext, 'db'>, override: { id: string; userId: string; startedAt: Date }): Promise<number> {
  return context.db.auditEvent.count({
    where: { actorUserId: override.userId, at: { gte: override.startedAt }, details: { contains: override.id }, NOT: { action: { startsWith: 'override.' } } },
  });
}
