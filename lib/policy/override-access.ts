// Who may do what with an emergency override (break-glass, issue 16;
// lib/emergency-override). One place for these decisions:
// - declare one: an enabled clinician (a clinical role or ADMIN) of the facility
//   they act for, which must hold a record of the patient's person;
// - review one (and see it in the queue): an enabled PRIVACY_OFFICER or ADMIN of
//   a facility it concerns: the patient record's facility, the declaring
//   clinician's facility, or a facility whose study copies it opened;
// - end one early: its clinician, or one of its reviewers.
// Everyone else gets NOT_FOUND (errors.ts): an override names a patient.
import type { Database } from '../../prisma/database';
import { PolicyError } from './errors';
import type { Role } from './roles';

/** The roles that may open emergency access: the clinical ones and the facility's administrators (not a privacy officer alone). */
export const OVERRIDE_DECLARER_ROLES: readonly Role[] = ['ADMIN', 'REFERRING', 'EXPERT', 'EMERGENCY'];
/** The roles that review a facility's overrides (ADMIN: also the fallback when a facility has no privacy officer). */
export const OVERRIDE_REVIEWER_ROLES: readonly Role[] = ['PRIVACY_OFFICER', 'ADMIN'];

type OverrideDb = Pick<Database, 'membership' | 'patient' | 'accessGrant' | 'emergencyOverride'>;

/**
 * The clinician may declare an override in the facility they act for: NOT_FOUND
 * without an enabled membership there, FORBIDDEN for a member without a clinical role.
 */
export async function authorizeOverrideDeclaration(db: OverrideDb, userId: string, actingFacilityId: string | null): Promise<void> {
  if (!actingFacilityId) throw new PolicyError('NOT_FOUND', 'no acting facility');
  const roles = await db.membership.findMany({
    where: { userId, facilityId: actingFacilityId, user: { disabled: false, guest: false }, facility: { disabledAt: null } },
    select: { role: true },
  });
  if (!roles.length) throw new PolicyError('NOT_FOUND', 'not a member of the acting facility');
  if (!roles.some((row) => OVERRIDE_DECLARER_ROLES.includes(row.role as Role))) throw new PolicyError('FORBIDDEN', 'only a clinician may open emergency access');
}

/** NOT_FOUND unless the facility holds a record of this person (one of `records`): a clinician opens only a patient they know. */
export async function authorizeOverridePatient(db: OverrideDb, actingFacilityId: string, records: readonly string[]): Promise<void> {
  const known = await db.patient.findFirst({ where: { id: { in: [...records] }, facilityId: actingFacilityId }, select: { id: true } });
  if (!known) throw new PolicyError('NOT_FOUND', 'patient not found');
}

/** The facilities where the user reviews overrides (an enabled PRIVACY_OFFICER or ADMIN of an enabled facility). */
export async function overrideReviewerFacilities(db: OverrideDb, userId: string): Promise<string[]> {
  const rows = await db.membership.findMany({
    where: { userId, role: { in: [...OVERRIDE_REVIEWER_ROLES] }, user: { disabled: false }, facility: { disabledAt: null } },
    select: { facilityId: true },
  });
  return [...new Set(rows.map((row) => row.facilityId))];
}

/** The where of the overrides that concern any of these facilities (the one where-builder of the queue, the review and the end). */
export async function overridesConcerningWhere(db: OverrideDb, facilityIds: readonly string[]) {
  const ids = [...facilityIds];
  // Overrides whose grants opened a copy of these facilities (rare rows: indexed by overrideId)
  const opened = ids.length
    ? await db.accessGrant.findMany({ where: { overrideId: { not: null }, studyFacilityId: { in: ids } }, select: { overrideId: true }, distinct: ['overrideId'] })
    : [];
  const openedIds = opened.map((row) => row.overrideId).filter((id): id is string => id !== null);
  return { OR: [{ patientFacilityId: { in: ids } }, { actingFacilityId: { in: ids } }, ...(openedIds.length ? [{ id: { in: openedIds } }] : [])] };
}

/** The facilities an override concerns: the patient record's, the clinician's, and each whose copies it opened. */
export async function facilitiesOfOverride(db: OverrideDb, override: { id: string; patientFacilityId: string; actingFacilityId: string }): Promise<string[]> {
  const grants = await db.accessGrant.findMany({ where: { overrideId: override.id }, select: { studyFacilityId: true }, distinct: ['studyFacilityId'] });
  return [...new Set([override.patientFacilityId, override.actingFacilityId, ...grants.map((grant) => grant.studyFacilityId)])];
}

export interface OverrideRights {
  /** Marks it justified or not (a reviewer who is not its own clinician) */
  review: boolean;
  /** Ends it early (its clinician, or a reviewer) */
  end: boolean;
}

/**
 * What the user may do with this override: NOT_FOUND unless they declared it or
 * review for a facility it concerns. Nobody reviews their own override.
 */
export async function authorizeOverrideAccess(db: OverrideDb, userId: string, overrideId: string): Promise<OverrideRights> {
  const override = await db.emergencyOverride.findUnique({ where: { id: overrideId }, select: { id: true, userId: true, patientFacilityId: true, actingFacilityId: true } });
  if (!override) throw new PolicyError('NOT_FOUND', 'emergency override not found');
  const reviewerOf = await overrideReviewerFacilities(db, userId);
  const concerned = reviewerOf.length ? await facilitiesOfOverride(db, override) : [];
  const reviewer = concerned.some((facilityId) => reviewerOf.includes(facilityId));
  const own = override.userId === userId;
  if (!reviewer && !own) throw new PolicyError('NOT_FOUND', 'emergency override not found');
  return { review: reviewer && !own, end: true };
}

/**
 * Who is told at once of an override concerning these facilities: each
 * facility's privacy officers, or its ADMINs when it has none (enabled accounts).
 */
export async function privacyOfficersOf(db: Pick<Database, 'membership'>, facilityIds: readonly string[]): Promise<Map<string, string[]>> {
  const rows = await db.membership.findMany({
    where: { facilityId: { in: [...facilityIds] }, role: { in: [...OVERRIDE_REVIEWER_ROLES] }, user: { disabled: false, guest: false }, facility: { disabledAt: null } },
    select: { facilityId: true, userId: true, role: true },
  });
  const officers = new Map<string, string[]>();
  for (const facilityId of facilityIds) {
    const here = rows.filter((row) => row.facilityId === facilityId);
    const chosen = here.some((row) => row.role === 'PRIVACY_OFFICER') ? here.filter((row) => row.role === 'PRIVACY_OFFICER') : here;
    officers.set(facilityId, [...new Set(chosen.map((row) => row.userId))]);
  }
  return officers;
}
