// Two records of one facility are one person (HL7 A40, or an administrator):
// the merged record's studies move to the surviving record, through the
// archive — under each study's lock, so no ingest of those studies runs
// meanwhile —, the index of the moved studies serves the survivor's patient
// attributes, and the merged record stays, pointing at the survivor, so that
// images still arriving under the old ID are filed under the survivor.
import type { Archive } from '../archive';
import { ArchiveError } from '../errors';
import { withStudyLock } from '../ingest';
import { patientOverlayOf } from './patient-overlay';
import { patientRecordById } from './find-patient-record';
import { reindexPatientStudies } from './reindex-patient-studies';

type Transaction = Parameters<Parameters<Archive['db']['$transaction']>[0]>[0];

export interface MergeRequest {
  facilityId: string;
  mergedRef: string;
  survivingRef: string;
  at: Date;
  /** The portal's own rows of the merged record (orders, consents, cases) moved in the same transaction */
  inTransaction?: (tx: Transaction) => Promise<void>;
}

export interface MergeResult {
  studiesMoved: number;
  studyUids: string[];
  /** Already merged into this survivor: nothing done */
  alreadyMerged: boolean;
}

export async function mergePatients(archive: Archive, request: MergeRequest): Promise<MergeResult> {
  const { db } = archive;
  if (request.mergedRef === request.survivingRef) throw new ArchiveError('BAD_REQUEST', 'a record cannot be merged into itself');
  const [merged, surviving] = await Promise.all([patientRecordById(db, request.mergedRef), patientRecordById(db, request.survivingRef)]);
  if (!merged || !surviving || merged.facilityId !== request.facilityId || surviving.facilityId !== request.facilityId) {
    throw new ArchiveError('NOT_FOUND', 'both records must be of the facility');
  }
  if (merged.mergedIntoRef === surviving.id) return { studiesMoved: 0, studyUids: [], alreadyMerged: true };
  if (surviving.mergedIntoRef) throw new ArchiveError('UID_CONFLICT', 'the surviving record was itself merged into another');
  const studies = await db.study.findMany({ where: { patientRef: merged.id }, select: { id: true, studyInstanceUid: true } });
  const uids = [...new Set(studies.map((study) => study.studyInstanceUid))].sort();
  const moved = await withStudyLocks(archive, uids, () =>
    db.$transaction(async (tx) => {
      // Re-read under the locks: a study may have arrived for the merged record meanwhile
      const now = await tx.study.findMany({ where: { patientRef: merged.id }, select: { id: true } });
      await tx.study.updateMany({ where: { patientRef: merged.id }, data: { patientRef: surviving.id } });
      await tx.patient.update({ where: { id: merged.id }, data: { mergedIntoRef: surviving.id } });
      await tx.patient.update({ where: { id: surviving.id }, data: { demographicsAt: surviving.demographicsAt ?? request.at } });
      await request.inTransaction?.(tx);
      return now.map((study) => study.id);
    }),
  );
  const overlay = patientOverlayOf({ ...surviving, demographicsAt: surviving.demographicsAt ?? request.at });
  if (overlay && moved.length > 0) await reindexPatientStudies(archive, moved, overlay);
  return { studiesMoved: moved.length, studyUids: uids, alreadyMerged: false };
}

/** Takes the study locks one after another in a fixed order (sorted UIDs), so two merges never deadlock. */
function withStudyLocks<T>(archive: Archive, uids: readonly string[], work: () => Promise<T>): Promise<T> {
  if (uids.length === 0) return work();
  const [first, ...rest] = uids;
  return withStudyLock(archive, first, () => withStudyLocks(archive, rest, work));
}
