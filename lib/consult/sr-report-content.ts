// What a teleconsultation's SR is made of, read from the index: the
// annotations as TID 1500 measurements on the images they were drawn on, and
// the study the report files under. Shared by the export request (which
// checks it all before it promises an export) and the export job (which
// builds and stores the report).
import type { DicomJsonDataset } from '../../pacs-core/dicom/dicom-json';
import { MeasurementReportInputError, buildMeasurementReport, type MeasurementReportInput, type ReportMeasurementInput } from '../../pacs-core/dicom/sr/measurement-report';
import { MEASUREMENT_TOOLS, type MeasurementTool } from '../../pacs-core/dicom/sr/measurement-groups';
import { newUid } from '../../pacs-core/dicom/sr/uids';
import type { Database, Prisma } from '../../prisma/database';
import type { AnnotationGeometry } from '../collab/protocol';
import { AdminError } from '../admin/errors';

export const SR_SERIES_DESCRIPTION = 'Teleconsultation measurements';

export interface ReportStudy {
  id: string;
  facilityId: string;
  attributes: string;
  patient: { patientId: string };
}

export interface ReportContent {
  study: ReportStudy;
  /** In drawing order; trackingId = the annotation's id */
  measurements: ReportMeasurementInput[];
}

/**
 * The annotations matched by `which` (in drawing order) as measurements, and
 * the consultation facility's copy of the study (each facility holds its own:
 * the report goes there). CONFLICT when there is nothing to export or an
 * annotation's image is no longer in the study.
 */
export async function loadReportContent(
  db: Database,
  consultation: { id: string; facilityId: string; studyInstanceUid: string },
  which: Prisma.ConsultationAnnotationWhereInput,
): Promise<ReportContent> {
  const annotations = await db.consultationAnnotation.findMany({
    where: { ...which, consultationId: consultation.id },
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
  return { study, measurements };
}

/** The report's Part 10 bytes; CONFLICT when an annotation cannot be written as DICOM. */
export function buildReportBytes(study: ReportStudy, input: Omit<MeasurementReportInput, 'patientStudy' | 'seriesDescription'>): Uint8Array {
  try {
    return buildMeasurementReport({ ...input, patientStudy: JSON.parse(study.attributes) as DicomJsonDataset, seriesDescription: SR_SERIES_DESCRIPTION });
  } catch (error) {
    if (error instanceof MeasurementReportInputError) throw new AdminError('CONFLICT', `An annotation cannot be written as DICOM: ${error.message}.`);
    throw error;
  }
}

/**
 * The series the report goes into: the session's earlier exports' series, or
 * a new one numbered after the study's highest series number (SeriesNumber is
 * Type 1 in the SR Document Series module, C.17.1).
 */
export async function reportSeries(
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
