// What the pages need to mark emergency access in red (issue 16): which of the
// study copies shown the viewer reads through a running override's grant, and
// the overrides of a patient's person for the patient page's history. Data
// only: the page has decided already that the viewer may see these studies.
import type { Database } from '../../prisma/database';
import { personRecordRefs } from '../policy/share-basis';
import { overrideReasonWords } from './override-reasons';

/** A study copy as pages name it: its Study row id, or its facility and UID */
export type StudyCopyRef = string | { facilityId: string; studyInstanceUid: string };

export interface RunningOverrideSummary {
  id: string;
  endsAt: Date;
  reasonCode: string;
  /** In words, e.g. "Life-threatening emergency (fall from height)" */
  reason: string;
  declaredBy: { id: string; name: string };
}

export interface OverrideMark {
  studyRef: string;
  facilityId: string;
  studyInstanceUid: string;
  override: RunningOverrideSummary;
}

/** The copies among `copies` that `userId` reads through a running override's active grant (one mark per copy). */
export async function activeOverrideMarks(context: { db: Pick<Database, 'accessGrant' | 'emergencyOverride' | 'user'> }, userId: string, copies: readonly StudyCopyRef[], now = new Date()): Promise<OverrideMark[]> {
  if (!copies.length) return [];
  const { db } = context;
  const ids = copies.filter((copy): copy is string => typeof copy === 'string');
  const pairs = copies.filter((copy): copy is { facilityId: string; studyInstanceUid: string } => typeof copy !== 'string');
  const grants = await db.accessGrant.findMany({
    where: {
      granteeUserId: userId,
      overrideId: { not: null },
      revokedAt: null,
      validFrom: { lte: now },
      AND: [
        { OR: [{ validUntil: null }, { validUntil: { gt: now } }] },
        { OR: [...(ids.length ? [{ studyRef: { in: ids } }] : []), ...pairs.map((pair) => ({ studyFacilityId: pair.facilityId, studyInstanceUid: pair.studyInstanceUid }))] },
      ],
    },
    select: { studyRef: true, studyFacilityId: true, studyInstanceUid: true, overrideId: true },
    orderBy: { createdAt: 'asc' },
  });
  const running = await runningOverrides(db, [...new Set(grants.map((grant) => grant.overrideId!))], now);
  const marks = new Map<string, OverrideMark>();
  for (const grant of grants) {
    const override = running.get(grant.overrideId!);
    if (!override || !grant.studyRef || marks.has(grant.studyRef)) continue;
    marks.set(grant.studyRef, { studyRef: grant.studyRef, facilityId: grant.studyFacilityId, studyInstanceUid: grant.studyInstanceUid, override });
  }
  return [...marks.values()];
}

/** The running overrides among these ids (a case's or a consultation's Referral/Consultation.overrideId), for the red banner. */
export async function runningOverridesById(context: { db: Pick<Database, 'emergencyOverride' | 'user'> }, ids: readonly (string | null)[], now = new Date()): Promise<RunningOverrideSummary[]> {
  return [...(await runningOverrides(context.db, [...new Set(ids.filter((id): id is string => id !== null))], now)).values()];
}

/** The distinct running overrides behind some marks (what a banner lists) */
export function overridesOfMarks(marks: readonly OverrideMark[]): RunningOverrideSummary[] {
  return [...new Map(marks.map((mark) => [mark.override.id, mark.override])).values()];
}

async function runningOverrides(db: Pick<Database, 'emergencyOverride' | 'user'>, ids: string[], now: Date): Promise<Map<string, RunningOverrideSummary>> {
  if (!ids.length) return new Map();
  const rows = await db.emergencyOverride.findMany({ where: { id: { in: ids }, endedAt: null, endsAt: { gt: now } }, select: { id: true, endsAt: true, reasonCode: true, reasonText: true, userId: true } });
  const users = await db.user.findMany({ where: { id: { in: [...new Set(rows.map((row) => row.userId))] } }, select: { id: true, name: true } });
  return new Map(
    rows.map((row) => [
      row.id,
      { id: row.id, endsAt: row.endsAt, reasonCode: row.reasonCode, reason: overrideReasonWords(row.reasonCode, row.reasonText), declaredBy: users.find((user) => user.id === row.userId) ?? { id: row.userId, name: 'unknown' } },
    ]),
  );
}

export interface PatientOverride {
  id: string;
  declaredBy: { id: string; name: string };
  actingFacility: { id: string; name: string };
  reasonCode: string;
  reason: string;
  startedAt: Date;
  endsAt: Date;
  endedAt: Date | null;
  running: boolean;
  reviewStatus: string;
  /** Study copies it opened */
  grants: number;
}

/** Every override on the person of this record (any linked record), newest first: the patient page's "who opened my images without consent". */
export async function overridesOfPatient(context: { db: Pick<Database, 'emergencyOverride' | 'patientLink' | 'user' | 'facility' | 'accessGrant'> }, patientRef: string, now = new Date()): Promise<PatientOverride[]> {
  const { db } = context;
  const records = await personRecordRefs(db, patientRef);
  const rows = await db.emergencyOverride.findMany({ where: { patientRef: { in: records } }, orderBy: [{ startedAt: 'desc' }, { id: 'desc' }], take: 100 });
  if (!rows.length) return [];
  const [users, facilities, grants] = await Promise.all([
    db.user.findMany({ where: { id: { in: [...new Set(rows.map((row) => row.userId))] } }, select: { id: true, name: true } }),
    db.facility.findMany({ where: { id: { in: [...new Set(rows.map((row) => row.actingFacilityId))] } }, select: { id: true, name: true } }),
    db.accessGrant.groupBy({ by: ['overrideId'], where: { overrideId: { in: rows.map((row) => row.id) } }, _count: { _all: true } }),
  ]);
  return rows.map((row) => ({
    id: row.id,
    declaredBy: users.find((user) => user.id === row.userId) ?? { id: row.userId, name: 'unknown' },
    actingFacility: facilities.find((facility) => facility.id === row.actingFacilityId) ?? { id: row.actingFacilityId, name: 'unknown' },
    reasonCode: row.reasonCode,
    reason: overrideReasonWords(row.reasonCode, row.reasonText),
    startedAt: row.startedAt,
    endsAt: row.endsAt,
    endedAt: row.endedAt,
    running: !row.endedAt && row.endsAt > now,
    reviewStatus: row.reviewStatus,
    grants: grants.find((group) => group.overrideId === row.id)?._count._all ?? 0,
  }));
}
