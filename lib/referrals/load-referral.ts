// The one loader of a case for its operations: the row, the caller's roles
// (lib/policy/referral-access.ts decides), NOT_FOUND for anyone else and for
// an id that does not exist.
import type { Database } from '../../prisma/database';
import { authorizeReferral, type ReferralRole } from '../policy/referral-access';
import { PolicyError } from '../policy/errors';
import type { Principal } from '../policy/principal';

export const REFERRAL_ROW = {
  id: true,
  facilityId: true,
  patientRef: true,
  overrideId: true,
  peerId: true,
  remoteId: true,
  patientId: true,
  patientName: true,
  requesterId: true,
  status: true,
  priority: true,
  question: true,
  history: true,
  targetUserId: true,
  targetServiceId: true,
  targetFacilityId: true,
  ownerId: true,
  dueAt: true,
  requestedAt: true,
  completedAt: true,
  closedAt: true,
  escalatedAt: true,
  reportId: true,
  revision: true,
  createdAt: true,
  updatedAt: true,
  studies: { select: { id: true, studyRef: true, studyFacilityId: true, studyInstanceUid: true, primary: true, position: true }, orderBy: { position: 'asc' } },
} as const;

export type ReferralRow = NonNullable<Awaited<ReturnType<typeof findReferralRow>>>;

export function findReferralRow(db: Pick<Database, 'referral'>, referralId: string) {
  return db.referral.findUnique({ where: { id: referralId }, select: REFERRAL_ROW });
}

export interface LoadedReferral {
  referral: ReferralRow;
  roles: ReferralRole[];
}

export async function loadReferral(db: Database, principal: Principal, referralId: string): Promise<LoadedReferral> {
  const referral = typeof referralId === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(referralId) ? await findReferralRow(db, referralId) : null;
  if (!referral) throw new PolicyError('NOT_FOUND', 'referral not found');
  const roles = await authorizeReferral(db, principal.userId, referral);
  return { referral, roles };
}

/** The primary study (the report is written on it) */
export function primaryStudyOf(referral: Pick<ReferralRow, 'studies'>): ReferralRow['studies'][number] | undefined {
  return referral.studies.find((study) => study.primary) ?? referral.studies[0];
}
