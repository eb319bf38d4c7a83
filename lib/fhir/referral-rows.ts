// The second-opinion cases (lib/referrals) as the FHIR ServiceRequest and Task
// are made from: the case row, its parties' names, its patient record and its
// studies. Access is the portal's, never a rule of its own: one case through
// lib/referrals/load-referral.ts (lib/policy/referral-access.ts decides,
// NOT_FOUND for anyone else); a search through the `where` the portal's two
// lists use (the inbox and My referrals, lib/referrals/list-referrals.ts).
import type { Database, Prisma } from '../../prisma/database';
import type { Principal } from '../policy/principal';
import { inboxWhere } from '../referrals/list-referrals';
import { loadReferral, REFERRAL_ROW } from '../referrals/load-referral';
import type { PatientRow } from './patient-reference';

const FHIR_REFERRAL_SELECT = {
  ...REFERRAL_ROW,
  requester: { select: { id: true, name: true, email: true } },
  owner: { select: { id: true, name: true, email: true } },
  targetUser: { select: { id: true, name: true, email: true } },
  targetService: { select: { id: true, name: true } },
  // The reason of a decline or a cancellation (Task.statusReason)
  events: { where: { action: { in: ['decline', 'cancel'] } }, orderBy: [{ at: 'desc' }, { id: 'desc' }], take: 1, select: { action: true, reason: true } },
} as const satisfies Prisma.ReferralSelect;

type CaseRow = Prisma.ReferralGetPayload<{ select: typeof FHIR_REFERRAL_SELECT }>;

export interface FhirReferral extends CaseRow {
  /** The patient record (null once deleted: the case keeps the ID and name) */
  patient: PatientRow | null;
}

/** At most this many cases per search (_count) */
export const MAX_CASES = 500;
export const DEFAULT_CASES = 100;

async function withPatients(db: Database, rows: CaseRow[]): Promise<FhirReferral[]> {
  const refs = [...new Set(rows.map((row) => row.patientRef).filter((ref): ref is string => ref !== null))];
  const patients = refs.length ? await db.patient.findMany({ where: { id: { in: refs } }, select: { id: true, patientId: true, issuer: true, name: true } }) : [];
  const byId = new Map(patients.map((patient) => [patient.id, patient]));
  return rows.map((row) => ({ ...row, patient: (row.patientRef && byId.get(row.patientRef)) || null }));
}

/** One case the caller takes part in, or NOT_FOUND (absent or not theirs: one answer) */
export async function readableReferral(db: Database, principal: Principal, id: string): Promise<FhirReferral> {
  const { referral } = await loadReferral(db, principal, id);
  const row = await db.referral.findUniqueOrThrow({ where: { id: referral.id }, select: FHIR_REFERRAL_SELECT });
  return (await withPatients(db, [row]))[0];
}

/** The cases the caller takes part in (asked, or on their expert side: the portal's two lists), narrowed by `where`; newest change first */
export async function participantReferrals(db: Database, principal: Principal, where: Prisma.ReferralWhereInput, count: number): Promise<{ rows: FhirReferral[]; total: number }> {
  const mine: Prisma.ReferralWhereInput = { AND: [{ OR: [{ requesterId: principal.userId }, await inboxWhere(db, principal.userId)] }, where] };
  const [total, rows] = await Promise.all([
    db.referral.count({ where: mine }),
    count > 0 ? db.referral.findMany({ where: mine, select: FHIR_REFERRAL_SELECT, orderBy: [{ updatedAt: 'desc' }, { id: 'asc' }], take: count }) : [],
  ]);
  return { rows: await withPatients(db, rows), total };
}
