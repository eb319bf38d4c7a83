// A TID 1500 Measurement Report (PS3.16) as a Part 10 file: the measurements
// of a teleconsultation, written into the study they were drawn on so that
// OHIF and any PACS show them.
//
// IOD: Enhanced SR (PS3.3 A.35.2), as the Cornerstone3D adapters write for
// measurements on images (dcmjs StructuredReport; Comprehensive 3D SR only
// for SCOORD3D): SCOORD is allowed, nothing needs Comprehensive SR's
// by-reference relationships. Modules, in PS3.3 order: Patient (C.7.1.1),
// General Study (C.7.2.1), SR Document Series (C.17.1), General Equipment
// (C.7.5.1), SR Document General (C.17.2), SR Document Content (C.17.3),
// SOP Common (C.12.1).
//
// Content tree (TID 1500):
//   CONTAINER (126000, DCM, "Imaging Measurement Report"), template 1500/DCMR
//     HAS CONCEPT MOD  Language of Content = English                (TID 1204)
//     HAS OBS CONTEXT  Observer Type = Person, Person Observer Name  (TID 1001/1002, one per author)
//     HAS CONCEPT MOD  Procedure reported = Imaging procedure
//     CONTAINS CONTAINER Image Library → Image Library Group → IMAGE… (TID 1600/1601)
//     CONTAINS CONTAINER Imaging Measurements → Measurement Group…     (TID 1501, measurement-groups.ts)
import { CODES } from './codes';
import { codeItem, container, imageItem, type ImageReference } from './content-items';
import { DCMR_UID, documentHeader, evidence, writeDocumentFile, type DocumentIdentity } from './document-file';
import { MeasurementReportInputError, measurementGroup, observerContext, personNameValue, type ReportMeasurement } from './measurement-groups';

export const ENHANCED_SR_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.88.22';

export interface ReportImage extends ImageReference {
  seriesInstanceUid: string;
}

export interface ReportMeasurementInput extends ReportMeasurement {
  image: ReportImage;
}

export interface MeasurementReportInput extends DocumentIdentity {
  seriesDescription: string;
  /** When the series began (its first report): SeriesDate/SeriesTime stay the same for later versions. */
  seriesCreatedAt: Date;
  /** PS3.3 C.17.2.1: PARTIAL while the session can still change, COMPLETE once it has ended. */
  completion: 'COMPLETE' | 'PARTIAL';
  /** The earlier version this report replaces (Predecessor Documents Sequence, C.17.2.3). */
  predecessor?: { seriesInstanceUid: string; sopInstanceUid: string };
  measurements: readonly ReportMeasurementInput[];
}

export { MeasurementReportInputError };

/** Builds the report and writes it as a Part 10 file in Explicit VR Little Endian. */
export function buildMeasurementReport(input: MeasurementReportInput): Uint8Array {
  if (!input.measurements.length) throw new MeasurementReportInputError('a measurement report needs at least one measurement');
  for (const measurement of input.measurements) {
    if (!measurement.image.seriesInstanceUid || !measurement.image.sopInstanceUid || !measurement.image.sopClassUid) {
      throw new MeasurementReportInputError(`measurement ${measurement.trackingId}: the referenced image needs its series, SOP instance and SOP class UIDs`);
    }
  }
  return writeDocumentFile(reportDataset(input), input.patientStudy);
}

/** The dataset (naturalized, dcmjs keywords) without the copied Patient/Study attributes. */
function reportDataset(input: MeasurementReportInput): Record<string, unknown> {
  const images = uniqueImages(input.measurements.map((measurement) => measurement.image));
  const observers = [...new Set(input.measurements.map((measurement) => personNameValue(measurement.observerName)))];

  const root = container(null, CODES.imagingMeasurementReport, [
    codeItem('HAS CONCEPT MOD', CODES.languageOfContent, CODES.english),
    ...observers.flatMap((observer) => observerContext(observer)),
    codeItem('HAS CONCEPT MOD', CODES.procedureReported, CODES.imagingProcedure),
    container('CONTAINS', CODES.imageLibrary, [container('CONTAINS', CODES.imageLibraryGroup, images.map((image) => imageItem('CONTAINS', image)))]),
    container('CONTAINS', CODES.imagingMeasurements, input.measurements.map((measurement, index) => measurementGroup(measurement, index))),
  ]);

  return {
    ...documentHeader(input, ENHANCED_SR_SOP_CLASS, 'SR', input.seriesCreatedAt),
    // SR Document Series (C.17.1)
    ReferencedPerformedProcedureStepSequence: [], // Type 2: no MPPS behind a teleconsultation
    // SR Document General (C.17.2)
    CompletionFlag: input.completion,
    VerificationFlag: 'UNVERIFIED', // nobody signed it (C.17.2.2: VERIFIED needs a Verifying Observer)
    PerformedProcedureCodeSequence: [], // Type 2
    // C.17.2.3 (Hierarchical SOP Instance Reference Macro): every image the content references
    CurrentRequestedProcedureEvidenceSequence: [evidence(input.studyInstanceUid, images)],
    ...(input.predecessor
      ? {
          PredecessorDocumentsSequence: [
            evidence(input.studyInstanceUid, [
              { seriesInstanceUid: input.predecessor.seriesInstanceUid, sopInstanceUid: input.predecessor.sopInstanceUid, sopClassUid: ENHANCED_SR_SOP_CLASS },
            ]),
          ],
        }
      : {}),
    // SR Document Content (C.17.3): the root CONTAINER, with the template it follows
    ...root,
    ContentTemplateSequence: [{ MappingResource: 'DCMR', MappingResourceUID: DCMR_UID, TemplateIdentifier: '1500' }],
  };
}

/** Each referenced image (and frame) once, in the order first referenced. */
function uniqueImages(images: readonly ReportImage[]): ReportImage[] {
  const seen = new Map<string, ReportImage>();
  for (const image of images) {
    const key = `${image.sopInstanceUid}:${image.frameNumber ?? ''}`;
    if (!seen.has(key)) seen.set(key, image);
  }
  return [...seen.values()];
}
