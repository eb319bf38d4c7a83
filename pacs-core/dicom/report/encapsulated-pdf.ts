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
import type { Code } from '../sr/codes';
import { dicomDateTimeValue, documentHeader, writeDocumentFile, type DocumentIdentity } from '../sr/document-file';
import { REPORT_CODES } from './report-codes';

export const ENCAPSULATED_PDF_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.104.1';

export interface EncapsulatedPdfInput extends DocumentIdentity {
  /** The PDF file, byte for byte as it is to be kept (a signed PDF must not change). */
  pdf: Uint8Array;
  /** DocumentTitle (ST), e.g. "CT chest report" */
  documentTitle: string;
  /**
   * PS3.16 CID 7000; default (18748-4, LN, "Diagnostic Imaging Report").
   * null: ConceptNameCodeSequence empty (Type 2), for a document whose kind
   * is not known (a file someone attached: a letter, lab results).
   */
  concept?: Code | null;
}

/** Builds the Encapsulated PDF and writes it as a Part 10 file in Explicit VR Little Endian. */
export function buildEncapsulatedPdf(input: EncapsulatedPdfInput): Uint8Array {
  const pdf = input.pdf;
  if (!(pdf.length > 5 && Buffer.from(pdf.subarray(0, 5)).toString('latin1') === '%PDF-')) {
    throw new ArchiveError('BAD_REQUEST', 'the encapsulated document is not a PDF (it does not start with %PDF-)');
  }
  // OB of at most 2^32 - 2 bytes (an even length; EncapsulatedDocumentLength is UL)
  if (pdf.length > 0xfffffffe) throw new ArchiveError('PAYLOAD_TOO_LARGE', 'the PDF is too large for one DICOM element');
  // PS3.5 7.1: every value has an even length; C.24.2.1: the padding byte after the
  // document is not part of it, EncapsulatedDocumentLength says where it ends
  const padded = new Uint8Array(pdf.length + (pdf.length % 2));
  padded.set(pdf);
  const dataset: Record<string, unknown> = {
    // SOP Common, Encapsulated Document Series (C.24.1), General Equipment (C.7.5.1)
    ...documentHeader(input, ENCAPSULATED_PDF_SOP_CLASS, 'DOC'),
    // SC Equipment (C.8.6.1): a workstation's document
    ConversionType: 'WSD',
    // Encapsulated Document (C.24.2), with InstanceNumber and ContentDate/Time of the header
    AcquisitionDateTime: dicomDateTimeValue(input.createdAt),
    // The text of the report is in the document's pixels, names included
    BurnedInAnnotation: 'YES',
    DocumentTitle: input.documentTitle.slice(0, 1024),
    ConceptNameCodeSequence: input.concept === null ? [] : [{ ...(input.concept ?? REPORT_CODES.diagnosticImagingReport) }],
    MIMETypeOfEncapsulatedDocument: 'application/pdf',
    EncapsulatedDocument: padded.buffer,
    EncapsulatedDocumentLength: pdf.length,
  };
  return writeDocumentFile(dataset, input.patientStudy);
}
