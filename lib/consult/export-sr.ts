// "After the session" (issue 5): a teleconsultation's annotations written into
// the archive as a DICOM SR (TID 1500 measurement report,
// pacs-core/dicom/sr), in the study they were drawn on, so that OHIF and any
// PACS the study goes to show them.
//
// Who: the session's participants, not its guests (a guest came by a one-time
// link to look and talk; writing into a hospital's archive is for its users).
// Anyone else gets NOT_FOUND, as for every consultation operation.
//
// Versions: the first export makes a new series; a later export writes a new
// SR instance into the same series (InstanceNumber + 1, Predecessor Documents
// Sequence naming the previous one, PS3.3 C.17.2.3) rather than replacing the
// stored one. An archive keeps the first copy of an instance and refuses
// changed content under the same UID (pacs-core/ingest.ts), and a report that
// may already have been sent on to another PACS must not silently change; a
// new version beside the old one is how SR documents are amended, and OHIF
// shows the newest instance of an SR series.
import type { Archive } from '../../pacs-core/archive';
import type { DicomJsonDataset } from '../../pacs-core/dicom/dicom-json';
import { MeasurementReportInputError, buildMeasurementReport, type ReportMeasurementInput } from '../../pacs-core/dicom/sr/measurement-report';
import { MEASUREMENT_TOOLS, type MeasurementTool } from '../../pacs-core/dicom/sr/measurement-groups';
import { newUid } from '../../pacs-core/dicom/sr/uids';
import { KeyedMutex } from '../../pacs-core/keyed-mutex';
import type { Database } from '../../prisma/database';
import type { AnnotationGeometry } from '../collab/protocol';
import { AdminError } from '../admin/errors';
import { recordAudit } from '../audit/record-audit';
import { PolicyError } from '../policy/errors';
import { consultationForParticipant, type Actor } from './consultations';

export const SR_SERIES_DESCRIPTION = 'Teleconsultation measurements';

export interface ExportSrDeps {
  db: Database;
  archive: Archive;
  /** The report's content time; default the clock */
  now?: () => Date;
}

export interface ExportSrResult {
  sopInstanceUid: string;
  seriesInstanceUid: string;
  annotationCount: number;
}

// One export of a session at a time in this process: the second must see the
// first's series and instance number. (One Node process serves a facility.)
const exportLocks = new KeyedMutex();

/**
 * Writes the session's annotations (not the deleted ones) into its study as a
 * new SR instance; records the export and audits it (`consult.export`).
 * NOT_FOUND for non-participants, FORBIDDEN for guests, CONFLICT when there is
 * nothing (or nothing writable) to export.
 */
export async function exportConsultationSr(deps: ExportSrDeps, actor: Actor, consultationId: string): Promise<ExportSrResult> {
  const consultation = await consultationForParticipant(deps.db, actor.userId, consultationId);
  if (consultation.role === 'GUEST') throw new PolicyError('FORBIDDEN', 'guests cannot export the annotations of a teleconsultation');
  return exportLocks.run(consultation.id, () => exportLocked(deps, actor, consultation));
}

async function exportLocked(
  { db, archive, now = () => new Date() }: ExportSrDeps,
  actor: Actor,
  consultation: { id: string; facilityId: string; studyInstanceUid: string; endedAt: Date | null },
): Promise<ExportSrResult> {
  const annotations = await db.consultationAnnotation.findMany({
    where: { consultationId: consultation.id, deletedAt: null },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: {
      id: true,
      toolName: true,
      studyInstanceUid: true,
      sopInstanceUid: true,
      frameNumber: true,
      geometry: true,
      author: { select: { name: true, email: true } },
    },
  });
  if (!annotations.length) throw new AdminError('CONFLICT', 'No annotations to export: draw a measurement in the session first.');

  // The index, not the files: the study's Patient/Study attributes and each referenced image's SOP class.
  // The consultation facility's copy of the study (each facility holds its own): the report goes there
  const study = await db.study.findUnique({
    where: { facilityId_studyInstanceUid: { facilityId: consultation.facilityId, studyInstanceUid: consultation.studyInstanceUid } },
    select: { id: true, facilityId: true, attributes: true, patient: { select: { patientId: true } } },
  });
  if (!study) throw new AdminError('CONFLICT', 'The study of this teleconsultation is no longer in the archive.');
  const instances = await db.instance.findMany({
    where: { sopInstanceUid: { in: [...new Set(annotations.map((annotation) => annotation.sopInstanceUid))] }, series: { studyRef: study.id } },
    select: { sopInstanceUid: true, sopClassUid: true, numberOfFrames: true, series: { select: { seriesInstanceUid: true } } },
  });
  const imageBySop = new Map(instances.map((instance) => [instance.sopInstanceUid, instance]));
  const missing = annotations.filter((annotation) => annotation.studyInstanceUid !== consultation.studyInstanceUid || !imageBySop.has(annotation.sopInstanceUid));
  if (missing.length) {
    throw new AdminError('CONFLICT', `The image${missing.length === 1 ? '' : 's'} of ${missing.length} annotation${missing.length === 1 ? ' is' : 's are'} no longer in this study's archive; remove ${missing.length === 1 ? 'it' : 'them'} and export again.`);
  }

  const measurements = annotations.map((annotation): ReportMeasurementInput => {
    const instance = imageBySop.get(annotation.sopInstanceUid)!;
    const geometry = parseGeometry(annotation.geometry);
    return {
      tool: toolOf(annotation.toolName),
      trackingId: annotation.id,
      image: {
        seriesInstanceUid: instance.series.seriesInstanceUid,
        sopInstanceUid: instance.sopInstanceUid,
        sopClassUid: instance.sopClassUid,
        // PS3.3 C.18.4: ReferencedFrameNumber only for a multi-frame image (dciodvfy refuses it otherwise)
        ...(instance.numberOfFrames > 1 ? { frameNumber: annotation.frameNumber } : {}),
      },
      imagePoints: geometry.imagePoints ?? [],
      worldPoints: geometry.points,
      text: geometry.text,
      values: geometry.stats,
      observerName: annotation.author.name || annotation.author.email,
    };
  });

  const previous = await db.consultationExport.findMany({
    where: { consultationId: consultation.id },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: { sopInstanceUid: true, seriesInstanceUid: true, createdAt: true },
  });
  const series = await reportSeries(db, study.id, previous);
  const createdAt = now();
  const sopInstanceUid = newUid();
  let bytes: Uint8Array;
  try {
    bytes = buildMeasurementReport({
      patientStudy: JSON.parse(study.attributes) as DicomJsonDataset,
      studyInstanceUid: consultation.studyInstanceUid,
      seriesInstanceUid: series.seriesInstanceUid,
      seriesNumber: series.seriesNumber,
      seriesDescription: SR_SERIES_DESCRIPTION,
      seriesCreatedAt: previous[0]?.createdAt ?? createdAt,
      sopInstanceUid,
      instanceNumber: previous.length + 1,
      createdAt,
      // PS3.3 C.17.2.1: a session that has not ended can still change its annotations
      completion: consultation.endedAt ? 'COMPLETE' : 'PARTIAL',
      predecessor: previous.at(-1),
      measurements,
    });
  } catch (error) {
    if (error instanceof MeasurementReportInputError) throw new AdminError('CONFLICT', `An annotation cannot be written as DICOM: ${error.message}.`);
    throw error;
  }

  // The archive's one ingest path (its own transaction; the file is durable and indexed when it returns).
  await archive.ingest(Buffer.from(bytes), { kind: 'import', source: `consultation:${consultation.id}` }, study.facilityId);

  const result: ExportSrResult = { sopInstanceUid, seriesInstanceUid: series.seriesInstanceUid, annotationCount: measurements.length };
  // The export row and its audit event commit together. Should they fail, the report is in the
  // archive all the same (the ingest has committed): say so in the log, the caller gets the error.
  await recordExport(db, archive, actor, { consultationId: consultation.id, studyInstanceUid: consultation.studyInstanceUid, study, result, instanceNumber: previous.length + 1, createdAt });
  return result;
}

interface ExportRecord {
  consultationId: string;
  studyInstanceUid: string;
  study: { facilityId: string; patient: { patientId: string } };
  result: ExportSrResult;
  instanceNumber: number;
  createdAt: Date;
}

async function recordExport(db: Database, archive: Archive, actor: Actor, record: ExportRecord): Promise<void> {
  const { consultationId, studyInstanceUid, study, result, instanceNumber, createdAt } = record;
  await db.$transaction(async (tx) => {
    await tx.consultationExport.create({ data: { consultationId, ...result, exportedById: actor.userId, createdAt } });
    await recordAudit(tx, {
      actor: actor.email,
      actorUserId: actor.userId,
      action: 'consult.export',
      outcome: 'SUCCESS',
      facilityId: study.facilityId,
      patientId: study.patient.patientId,
      studyUid: studyInstanceUid,
      sourceIp: actor.ip,
      resource: `consultations/${consultationId}`,
      details: { ...result, instanceNumber },
    });
  }).catch((error: unknown) => {
    archive.logger.error('teleconsultation SR stored, but its export row and audit event were not written', { consultationId, ...result, error: String(error) });
    throw error;
  });
}

/**
 * The series the report goes into: the session's earlier exports' series, or
 * a new one numbered after the study's highest series number (SeriesNumber is
 * Type 1 in the SR Document Series module, C.17.1).
 */
async function reportSeries(
  db: Database,
  studyId: string,
  previous: readonly { seriesInstanceUid: string }[],
): Promise<{ seriesInstanceUid: string; seriesNumber: number }> {
  const earlier = previous[0]?.seriesInstanceUid;
  if (earlier) {
    const row = await db.series.findUnique({ where: { studyRef_seriesInstanceUid: { studyRef: studyId, seriesInstanceUid: earlier } }, select: { seriesNumber: true } });
    if (row?.seriesNumber != null) return { seriesInstanceUid: earlier, seriesNumber: row.seriesNumber };
  }
  const highest = await db.series.aggregate({ where: { studyRef: studyId }, _max: { seriesNumber: true } });
  return { seriesInstanceUid: earlier ?? newUid(), seriesNumber: (highest._max.seriesNumber ?? 0) + 1 };
}

function toolOf(name: string): MeasurementTool {
  if ((MEASUREMENT_TOOLS as readonly string[]).includes(name)) return name as MeasurementTool;
  throw new AdminError('CONFLICT', `An annotation cannot be written as DICOM: unknown tool ${name}.`);
}

function parseGeometry(text: string): Partial<AnnotationGeometry> {
  try {
    const geometry = JSON.parse(text) as unknown;
    if (geometry && typeof geometry === 'object') return geometry as Partial<AnnotationGeometry>;
  } catch {
    // answered below
  }
  throw new AdminError('CONFLICT', 'An annotation cannot be written as DICOM: its stored geometry is unreadable.');
}
