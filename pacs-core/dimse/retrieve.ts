// Which stored instances a C-MOVE or C-GET identifier names (PS3.4 C.4.2.2.1,
// C.4.3.2.1): the unique keys of the retrieve level and the levels above,
// inside the association's read scope. Relational retrieve is not offered, so
// the key of the level itself is required.
import type { Database, Prisma } from '../../prisma/database';
import type { AccessScope } from '../access';
import { ArchiveError } from '../errors';
import type { QueryRoot } from './constants';
import { keyText, retrieveLevelOf, type NaturalizedDataset, type RetrieveLevel } from './identifier';

/** One instance to send, with what a C-STORE sub-operation and the audit need. */
export interface StoredInstanceRef {
  sopInstanceUid: string;
  sopClassUid: string;
  transferSyntaxUid: string;
  blobKey: string;
  seriesInstanceUid: string;
  studyInstanceUid: string;
  patientId: string;
  facilityId: string;
}

const UID = /^[0-9]+(\.[0-9]+)*$/;

/** PS3.4 C.2.2.2.2: a list of UIDs separated by "\". */
function uidList(identifier: NaturalizedDataset, keyword: string): string[] | undefined {
  const text = keyText(identifier[keyword]);
  if (!text) return undefined;
  const uids = text.split('\\').map((uid) => uid.trim()).filter(Boolean);
  for (const uid of uids) {
    if (!UID.test(uid) || uid.length > 64) throw new ArchiveError('BAD_REQUEST', `${keyword}: "${uid.slice(0, 40)}" is not a valid UID`);
  }
  return uids.length ? uids : undefined;
}

const REQUIRED_KEY: Record<RetrieveLevel, string> = {
  PATIENT: 'PatientID',
  STUDY: 'StudyInstanceUID',
  SERIES: 'SeriesInstanceUID',
  IMAGE: 'SOPInstanceUID',
};

export async function resolveRetrieve(
  db: Database,
  root: QueryRoot,
  identifier: NaturalizedDataset,
  scope: AccessScope,
): Promise<{ level: RetrieveLevel; instances: StoredInstanceRef[] }> {
  const level = retrieveLevelOf(identifier, root);
  const patientId = keyText(identifier.PatientID) || undefined;
  const studyUids = uidList(identifier, 'StudyInstanceUID');
  const seriesUids = level === 'SERIES' || level === 'IMAGE' ? uidList(identifier, 'SeriesInstanceUID') : undefined;
  const sopUids = level === 'IMAGE' ? uidList(identifier, 'SOPInstanceUID') : undefined;
  const present = { PATIENT: patientId, STUDY: studyUids, SERIES: seriesUids, IMAGE: sopUids }[level];
  if (!present) throw new ArchiveError('BAD_REQUEST', `a ${level} level retrieve needs ${REQUIRED_KEY[level]}`);
  if (scope.kind === 'facilities' && scope.facilityIds.length === 0) return { level, instances: [] };
  if (patientId && /[*?\\]/.test(patientId)) throw new ArchiveError('BAD_REQUEST', 'PatientID: wildcards are not allowed in a retrieve');

  const instances = await queryInstances(db, {
    ...(sopUids ? { sopInstanceUid: { in: sopUids } } : {}),
    series: {
      ...(seriesUids ? { seriesInstanceUid: { in: seriesUids } } : {}),
      study: {
        ...(studyUids ? { studyInstanceUid: { in: studyUids } } : {}),
        ...(scope.kind === 'facilities' ? { facilityId: { in: [...scope.facilityIds] } } : {}),
        ...(patientId !== undefined && root === 'patient' ? { patient: { patientId } } : {}),
      },
    },
  });
  return { level, instances };
}

/** All instances of some studies or series, for the SCU (the caller has decided access). */
export async function instancesOf(db: Database, uids: { studyUids?: readonly string[]; seriesUids?: readonly string[] }): Promise<StoredInstanceRef[]> {
  return queryInstances(db, {
    series: {
      ...(uids.seriesUids ? { seriesInstanceUid: { in: [...uids.seriesUids] } } : {}),
      ...(uids.studyUids ? { study: { studyInstanceUid: { in: [...uids.studyUids] } } } : {}),
    },
  });
}

/** Instances in series order, then InstanceNumber: the order a viewer on the receiving side fills in. */
async function queryInstances(db: Database, where: Prisma.InstanceWhereInput): Promise<StoredInstanceRef[]> {
  const rows = await db.instance.findMany({
    where,
    select: {
      sopInstanceUid: true,
      sopClassUid: true,
      transferSyntaxUid: true,
      blobKey: true,
      series: { select: { seriesInstanceUid: true, study: { select: { studyInstanceUid: true, facilityId: true, patient: { select: { patientId: true } } } } } },
    },
    orderBy: [{ seriesRef: 'asc' }, { instanceNumber: 'asc' }, { id: 'asc' }],
  });
  return rows.map((row) => ({
    sopInstanceUid: row.sopInstanceUid,
    sopClassUid: row.sopClassUid,
    transferSyntaxUid: row.transferSyntaxUid,
    blobKey: row.blobKey,
    seriesInstanceUid: row.series.seriesInstanceUid,
    studyInstanceUid: row.series.study.studyInstanceUid,
    patientId: row.series.study.patient.patientId,
    facilityId: row.series.study.facilityId,
  }));
}
