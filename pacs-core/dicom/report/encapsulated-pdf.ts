// A report's PDF as a DICOM Encapsulated PDF (PS3.3 A.45.1), filed as a new
// DOC series of the study it reports on, so any PACS or viewer that lists the
// study shows the signed document beside the images.
//
// Modules, in PS3.3 order: Patient (C.7.1.1) and General Study (C.7.2.1)
// copied from the index, Encapsulated Document Series (C.24.1), General
// Equipment (C.7.5.1), SC Equipment (C.8.6.1), Encapsulated Document
// (C.24.2), SOP Common (C.12.1). The same attributes as DCMTK's pdf2dcm
// writes, with the study's identity filled in instead of left empty.
import { ArchiveError } from '../../errors';
import type { DicomJsonDataset } from '../dicom-json';
import type { Code } from '../sr/codes';
import { dicomDateTime, writeDocumentFile } from '../sr/document-file';
import { REPORT_CODES } from './report-codes';

export const ENCAPSULATED_PDF_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.104.1';

export interface EncapsulatedPdfInput {
  /** The PDF file, byte for byte as it is to be kept (a signed PDF must not change). */
  pdf: Uint8Array;
  /** The study's Patient and General Study attributes as the index keeps them (DICOM JSON, Study.attributes). */
  patientStudy: DicomJsonDataset;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  seriesNumber: number;
  seriesDescription?: string;
  sopInstanceUid: string;
  instanceNumber: number;
  /** When the document was made (ContentDate/Time, InstanceCreationDate/Time, AcquisitionDateTime, SeriesDate/Time). */
  createdAt: Date;
  /** DocumentTitle (ST), e.g. "CT chest report" */
  documentTitle: string;
  /** PS3.16 CID 7000; default (18748-4, LN, "Diagnostic Imaging Report") */
  concept?: Code;
  manufacturer?: string;
  softwareVersion?: string;
}

/** Builds the Encapsulated PDF and writes it as a Part 10 file in Explicit VR Little Endian. */
export function buildEncapsulatedPdf(input: EncapsulatedPdfInput): Uint8Array {
  const pdf = input.pdf;
  if (!(pdf.length > 5 && Buffer.from(pdf.subarray(0, 5)).toString('latin1') === '%PDF-')) {
    throw new ArchiveError('BAD_REQUEST', 'the encapsulated document is not a PDF (it does not start with %PDF-)');
  }
  // OB of at most 2^32 - 2 bytes (an even length; EncapsulatedDocumentLength is UL)
  if (pdf.length > 0xfffffffe) throw new ArchiveError('PAYLOAD_TOO_LARGE', 'the PDF is too large for one DICOM element');
  const created = dicomDateTime(input.createdAt);
  // PS3.5 7.1: every value has an even length; C.24.2.1: the padding byte after the
  // document is not part of it, EncapsulatedDocumentLength says where it ends
  const padded = new Uint8Array(pdf.length + (pdf.length % 2));
  padded.set(pdf);
  const dataset: Record<string, unknown> = {
    // SOP Common (C.12.1): dcmjs writes text as UTF-8
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: ENCAPSULATED_PDF_SOP_CLASS,
    SOPInstanceUID: input.sopInstanceUid,
    InstanceCreationDate: created.date,
    InstanceCreationTime: created.time,
    TimezoneOffsetFromUTC: created.offset,
    // General Study: the one attribute that must match, not copied
    StudyInstanceUID: input.studyInstanceUid,
    // Encapsulated Document Series (C.24.1)
    Modality: 'DOC',
    SeriesInstanceUID: input.seriesInstanceUid,
    SeriesNumber: String(input.seriesNumber),
    ...(input.seriesDescription ? { SeriesDescription: input.seriesDescription.slice(0, 64) } : {}),
    // General Equipment (C.7.5.1) and SC Equipment (C.8.6.1): a workstation's document
    Manufacturer: input.manufacturer ?? 'Telepacs',
    ...(input.softwareVersion ? { SoftwareVersions: input.softwareVersion } : {}),
    ConversionType: 'WSD',
    // Encapsulated Document (C.24.2)
    InstanceNumber: String(input.instanceNumber),
    ContentDate: created.date,
    ContentTime: created.time,
    AcquisitionDateTime: `${created.date}${created.time}${created.offset}`,
    // The text of the report is in the document's pixels, names included
    BurnedInAnnotation: 'YES',
    DocumentTitle: input.documentTitle.slice(0, 1024),
    ConceptNameCodeSequence: [{ ...(input.concept ?? REPORT_CODES.diagnosticImagingReport) }],
    MIMETypeOfEncapsulatedDocument: 'application/pdf',
    EncapsulatedDocument: padded.buffer,
    EncapsulatedDocumentLength: pdf.length,
  };
  return writeDocumentFile(dataset, input.patientStudy);
}
