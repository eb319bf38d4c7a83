// The one lookup every WADO handler goes through: it finds the study, series
// or instance named in the path and applies the caller's read scope. A study
// outside the scope behaves exactly like a missing one (404, same message):
// an outsider must not learn that a patient or study exists (STYLE.md).
import type { Archive } from '../archive';
import { ArchiveError } from '../errors';
import { findVisibleStudy } from '../index/find-visible-study';
import type { DicomwebRequest } from './types';

export interface StudyTarget {
  id: string;
  studyInstanceUid: string;
  facilityId: string;
  patientId: string;
}

export interface SeriesTarget {
  id: string;
  seriesInstanceUid: string;
  metadataVersion: number;
}

/** The columns WADO needs from an Instance row. */
export interface InstanceRecord {
  id: string;
  sopInstanceUid: string;
  sopClassUid: string;
  instanceNumber: number | null;
  transferSyntaxUid: string;
  blobKey: string;
  size: number;
  numberOfFrames: number;
  frameIndex: string;
  metadata: string;
  seriesInstanceUid: string;
}

export interface LookupUids {
  study: string;
  series?: string;
  instance?: string;
}

export interface LookupResult {
  study: StudyTarget;
  series: SeriesTarget | null;
  instance: InstanceRecord | null;
}

const seriesSelect = { id: true, seriesInstanceUid: true, metadataVersion: true } as const;

export const instanceSelect = {
  id: true,
  sopInstanceUid: true,
  sopClassUid: true,
  instanceNumber: true,
  transferSyntaxUid: true,
  blobKey: true,
  size: true,
  numberOfFrames: true,
  frameIndex: true,
  metadata: true,
  series: { select: { seriesInstanceUid: true } },
} as const;

function notFound(uids: LookupUids): ArchiveError {
  const what = uids.instance
    ? `instance ${uids.instance} of series ${uids.series} in study ${uids.study}`
    : uids.series
      ? `series ${uids.series} in study ${uids.study}`
      : `study ${uids.study}`;
  // The study asked for travels with the refusal, for the audit trail only (http-handler.ts)
  return new ArchiveError('NOT_FOUND', `${what} not found`, { studyUid: uids.study });
}

type InstanceRow = Omit<InstanceRecord, 'seriesInstanceUid'> & { series: { seriesInstanceUid: string } };

export function toInstanceRecord(row: InstanceRow): InstanceRecord {
  const { series, ...rest } = row;
  return { ...rest, seriesInstanceUid: series.seriesInstanceUid };
}

/**
 * Resolves the path's UIDs within the copy of the study the caller's
 * `request.principal.readScope` shows (findVisibleStudy). Each level must
 * belong to the one above it (an instance reached through the wrong series is
 * "not found"). Throws ArchiveError NOT_FOUND otherwise.
 */
export async function lookupForRead(request: DicomwebRequest, uids: LookupUids): Promise<LookupResult> {
  const db = request.archive.db;
  // The copy of the study this caller may see (each facility holds its own)
  const study = await findVisibleStudy(db, uids.study, request.principal.readScope);
  if (!study) throw notFound(uids);
  const target: StudyTarget = { id: study.id, studyInstanceUid: study.studyInstanceUid, facilityId: study.facilityId, patientId: study.patientId };
  if (uids.instance) {
    const row = await db.instance.findFirst({
      where: { sopInstanceUid: uids.instance, series: { studyRef: study.id, seriesInstanceUid: uids.series } },
      select: { ...instanceSelect, series: { select: seriesSelect } },
    });
    if (!row) throw notFound(uids);
    return { study: target, series: row.series, instance: toInstanceRecord(row) };
  }
  if (uids.series) {
    const series = await db.series.findUnique({
      where: { studyRef_seriesInstanceUid: { studyRef: study.id, seriesInstanceUid: uids.series } },
      select: seriesSelect,
    });
    if (!series) throw notFound(uids);
    return { study: target, series, instance: null };
  }
  return { study: target, series: null, instance: null };
}

/** The instances a retrieve covers, in the order a viewer expects (series number, then instance number). */
export async function listInstances(archive: Archive, target: LookupResult): Promise<InstanceRecord[]> {
  if (target.instance) return [target.instance];
  const rows = await archive.db.instance.findMany({
    where: target.series ? { seriesRef: target.series.id } : { series: { studyRef: target.study.id } },
    orderBy: [
      ...(target.series ? [] : [{ series: { seriesNumber: { sort: 'asc' as const, nulls: 'last' as const } } }, { series: { seriesInstanceUid: 'asc' as const } }]),
      { instanceNumber: { sort: 'asc', nulls: 'last' } },
      { sopInstanceUid: 'asc' },
    ],
    select: instanceSelect,
  });
  return rows.map(toInstanceRecord);
}

/** PS3.15 A.5 / issue 2: every successful read of patient data leaves one audit event. */
export async function auditRetrieve(request: DicomwebRequest, study: StudyTarget): Promise<void> {
  await request.principal.audit({
    action: 'dicomweb.wado',
    outcome: 'SUCCESS',
    studyUid: study.studyInstanceUid,
    patientId: study.patientId,
    facilityId: study.facilityId,
    resource: request.path,
  });
}

/** The frame index stored at ingest: per frame, [offset, length] ranges of the stored file. */
export function parseFrameIndex(instance: InstanceRecord): Array<Array<[number, number]>> {
  try {
    const value: unknown = JSON.parse(instance.frameIndex);
    return Array.isArray(value) ? (value as Array<Array<[number, number]>>) : [];
  } catch {
    return [];
  }
}
