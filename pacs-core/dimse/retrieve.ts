// Which stored instances a C-MOVE or C-GET identifier names (PS3.4 C.4.2.2.1,
// C.4.3.2.1): the unique keys of the retrieve level and the levels above,
// inside the association's read scope. Relational retrieve is not offered, so
// the key of the level itself is required.
import { Prisma, type Database } from '../../prisma/database';
import type { AccessScope } from '../access';
import { ArchiveError } from '../errors';
import { scopeCondition } from '../index/search-support';
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

  const instances = await queryInstances(db, scope, {
    studyUids,
    seriesUids,
    sopUids,
    patientId: patientId !== undefined && root === 'patient' ? patientId : undefined,
  });
  return { level, instances };
}

/**
 * All instances of some studies or series, for the SCU. The caller has decided
 * access; `scope` only picks which facility's copy of a study is sent (each
 * facility holds its own): by default the oldest copy, as any reader sees.
 */
export async function instancesOf(
  db: Database,
  uids: { studyUids?: readonly string[]; seriesUids?: readonly string[] },
  scope: AccessScope = { kind: 'all' },
): Promise<StoredInstanceRef[]> {
  return queryInstances(db, scope, uids);
}

interface InstanceKeys {
  studyUids?: readonly string[];
  seriesUids?: readonly string[];
  sopUids?: readonly string[];
  patientId?: string;
}

/**
 * Instances in series order, then InstanceNumber: the order a viewer on the
 * receiving side fills in. Only the copy of each study the scope shows
 * (scopeCondition), so a UID held by several facilities is sent once.
 */
async function queryInstances(db: Database, scope: AccessScope, keys: InstanceKeys): Promise<StoredInstanceRef[]> {
  const scopeSql = scopeCondition(scope);
  if (!scopeSql) return [];
  const conditions = [scopeSql];
  if (keys.sopUids) conditions.push(Prisma.sql`"Instance"."sopInstanceUid" IN (${Prisma.join([...keys.sopUids])})`);
  if (keys.seriesUids) conditions.push(Prisma.sql`"Series"."seriesInstanceUid" IN (${Prisma.join([...keys.seriesUids])})`);
  if (keys.studyUids) conditions.push(Prisma.sql`"Study"."studyInstanceUid" IN (${Prisma.join([...keys.studyUids])})`);
  if (keys.patientId !== undefined) conditions.push(Prisma.sql`"Patient"."patientId" = ${keys.patientId}`);
  return db.$queryRaw<StoredInstanceRef[]>`
    SELECT "Instance"."sopInstanceUid", "Instance"."sopClassUid", "Instance"."transferSyntaxUid", "Instance"."blobKey",
      "Series"."seriesInstanceUid", "Study"."studyInstanceUid", "Patient"."patientId", "Study"."facilityId"
    FROM "Instance" JOIN "Series" ON "Series"."id" = "Instance"."seriesRef"
      JOIN "Study" ON "Study"."id" = "Series"."studyRef"
      JOIN "Patient" ON "Patient"."id" = "Study"."patientRef"
    WHERE ${Prisma.join(conditions, ' AND ')}
    ORDER BY "Instance"."seriesRef", "Instance"."instanceNumber", "Instance"."id"`;
}
