// A report's text as a TID 2000 Basic Diagnostic Imaging Report (PS3.16),
// written into the study it reports on: any PACS, OHIF's SR viewport and
// DCMTK's dsrdump show its sections; the signed PDF (encapsulated-pdf.ts) is
// the document of record, this is its structured twin.
//
// IOD: Enhanced SR (PS3.3 A.35.2), as the TID 1500 report of a
// teleconsultation (../sr/measurement-report.ts): text, codes, person names
// and image references need nothing of Comprehensive SR. Modules: Patient,
// General Study (copied from the index), SR Document Series, General
// Equipment, SR Document General, SR Document Content, SOP Common.
//
// Content tree:
//   CONTAINER (18748-4, LN, "Diagnostic Imaging Report"), template 2000/DCMR
//     HAS CONCEPT MOD  Language of Content                          (TID 1204)
//     HAS OBS CONTEXT  Observer Type = Person, Person Observer Name,
//                      Person Observer's Organization Name          (TID 1001-1003)
//     CONTAINS CONTAINER <CID 7001 heading>                         (one per section with text)
//       HAS CONCEPT MOD  Equivalent Meaning of Concept Name = the section's title (TID 1210)
//       CONTAINS TEXT <CID 7002 element> = the section's text
//     CONTAINS CONTAINER (55113-5, LN, "Key Images")
//       CONTAINS IMAGE (121080, DCM, "Best illustration of finding")   (one per key image, each followed by
//       CONTAINS NUM  e.g. Length 23.4 mm                               its measurements: TID 2001 with the
//         INFERRED FROM SCOORD POLYLINE (column,row…)                   TID 1400/1401 pattern, as the
//           SELECTED FROM IMAGE (the key image)                         teleconsultation SR's groups
//       CONTAINS TEXT (121071, DCM, "Finding") = an arrow's text        (../sr/measurement-groups.ts) make
//         INFERRED FROM SCOORD …                                        them, without the adapters' parts)
import { ArchiveError } from '../../errors';
import type { Code } from '../sr/codes';
import { CODES } from '../sr/codes';
import { codeItem, container, imageItem, textItem, type ContentItem, type ImageReference } from '../sr/content-items';
import { DCMR_UID, dicomDateTimeValue, documentHeader, evidence, writeDocumentFile, type DocumentIdentity } from '../sr/document-file';
import { MeasurementReportInputError, keyImageFindingItems, observerContext, personNameValue, type MeasuredShape } from '../sr/measurement-groups';
import { ENHANCED_SR_SOP_CLASS } from '../sr/measurement-report';
import { FINDING, LANGUAGES, REPORT_CODES, SECTION_ELEMENT, SECTION_HEADINGS, type SectionHeading } from './report-codes';

export { ENHANCED_SR_SOP_CLASS };

const PERSON_OBSERVER_ORGANIZATION: Code = { CodeValue: '121009', CodingSchemeDesignator: 'DCM', CodeMeaning: "Person Observer's Organization Name" };

export interface ReportSrSection {
  /** A CID 7001 heading (by name, see SECTION_HEADINGS) */
  heading: SectionHeading;
  /** The heading as the report shows it (any language); written as its equivalent meaning when it differs */
  title?: string;
  text: string;
}

export interface ReportKeyImage extends ImageReference {
  seriesInstanceUid: string;
  /** The annotations drawn on it, in image coordinates (column, row), with the values the viewer measured */
  measurements?: readonly MeasuredShape[];
}

export interface ReportSrInput extends DocumentIdentity {
  /**
   * preliminary: UNVERIFIED, PARTIAL, PRELIMINARY. final (signed, or an
   * amendment signed again): VERIFIED by `signer`, COMPLETE, FINAL.
   */
  status: 'preliminary' | 'final';
  /** Who wrote it (the observer of TID 1002): a display name, kept whole as the family name */
  author: string;
  /** The facility the author reports for (Person Observer's Organization Name, VerifyingOrganization) */
  organization: string;
  /** Required for a final report: who signed it and when */
  signer?: { name: string; signedAt: Date };
  /** RFC 5646 tag of the report's language (TID 1204); default en */
  language?: string;
  sections: readonly ReportSrSection[];
  keyImages?: readonly ReportKeyImage[];
  /** The version this one amends (PredecessorDocumentsSequence, C.17.2.3) */
  predecessor?: { seriesInstanceUid: string; sopInstanceUid: string; sopClassUid?: string };
}

/** Builds the report SR and writes it as a Part 10 file in Explicit VR Little Endian. */
export function buildReportSr(input: ReportSrInput): Uint8Array {
  const sections = input.sections.filter((section) => section.text.trim() !== '');
  for (const section of sections) {
    if (!(section.heading in SECTION_HEADINGS)) throw new ArchiveError('BAD_REQUEST', `unknown report section heading: ${section.heading}`);
  }
  if (!sections.length) throw new ArchiveError('BAD_REQUEST', 'a report needs at least one section with text');
  if (input.status === 'final' && !input.signer) throw new ArchiveError('BAD_REQUEST', 'a final report needs its signer');
  for (const image of input.keyImages ?? []) {
    if (!image.seriesInstanceUid || !image.sopInstanceUid || !image.sopClassUid) {
      throw new ArchiveError('BAD_REQUEST', 'a key image needs its series, SOP instance and SOP class UIDs');
    }
  }
  try {
    return writeDocumentFile(reportDataset(input, sections), input.patientStudy);
  } catch (error) {
    if (error instanceof MeasurementReportInputError) throw new ArchiveError('BAD_REQUEST', `a key image's annotation cannot be written: ${error.message}`);
    throw error;
  }
}

function reportDataset(input: ReportSrInput, sections: readonly ReportSrSection[]): Record<string, unknown> {
  const keyImages = input.keyImages ?? [];
  const final = input.status === 'final';
  const organization = input.organization.trim().slice(0, 64) || 'Unknown';

  const root = container(null, REPORT_CODES.diagnosticImagingReport, [
    codeItem('HAS CONCEPT MOD', CODES.languageOfContent, languageCode(input.language)),
    ...observerContext(input.author),
    textItem('HAS OBS CONTEXT', PERSON_OBSERVER_ORGANIZATION, organization),
    ...sections.map(sectionContainer),
    ...(keyImages.length
      ? [container('CONTAINS', SECTION_HEADINGS.keyImages, keyImages.flatMap(keyImageItems))]
      : []),
  ]);

  return {
    ...documentHeader(input, ENHANCED_SR_SOP_CLASS, 'SR'),
    // SR Document Series (C.17.1)
    ReferencedPerformedProcedureStepSequence: [], // Type 2
    // SR Document General (C.17.2)
    CompletionFlag: final ? 'COMPLETE' : 'PARTIAL',
    VerificationFlag: final ? 'VERIFIED' : 'UNVERIFIED',
    PreliminaryFlag: final ? 'FINAL' : 'PRELIMINARY',
    ...(final && input.signer
      ? {
          VerifyingObserverSequence: [
            {
              VerifyingObserverName: personNameValue(input.signer.name),
              VerifyingObserverIdentificationCodeSequence: [], // Type 2: no coded identity for a portal user
              VerifyingOrganization: organization,
              VerificationDateTime: dicomDateTimeValue(input.signer.signedAt),
            },
          ],
        }
      : {}),
    PerformedProcedureCodeSequence: [], // Type 2
    ...(keyImages.length ? { CurrentRequestedProcedureEvidenceSequence: [evidence(input.studyInstanceUid, keyImages)] } : {}),
    ...(input.predecessor
      ? {
          PredecessorDocumentsSequence: [
            evidence(input.studyInstanceUid, [{ sopClassUid: ENHANCED_SR_SOP_CLASS, ...input.predecessor }]),
          ],
        }
      : {}),
    // SR Document Content (C.17.3)
    ...root,
    ContentTemplateSequence: [{ MappingResource: 'DCMR', MappingResourceUID: DCMR_UID, TemplateIdentifier: '2000' }],
  };
}

/** The key image, then what was measured on it (each SCOORD SELECTED FROM this image) */
function keyImageItems(keyImage: ReportKeyImage): ContentItem[] {
  const image: ImageReference = { sopClassUid: keyImage.sopClassUid, sopInstanceUid: keyImage.sopInstanceUid, ...(keyImage.frameNumber !== undefined ? { frameNumber: keyImage.frameNumber } : {}) };
  return [imageItem('CONTAINS', image, REPORT_CODES.bestIllustration), ...(keyImage.measurements ?? []).flatMap((shape, index) => keyImageFindingItems(shape, image, index, FINDING))];
}

function sectionContainer(section: ReportSrSection): ContentItem {
  const heading = SECTION_HEADINGS[section.heading];
  const title = section.title?.trim();
  return container('CONTAINS', heading, [
    ...(title && title !== heading.CodeMeaning ? [textItem('HAS CONCEPT MOD', REPORT_CODES.equivalentMeaning, title)] : []),
    textItem('CONTAINS', SECTION_ELEMENT[section.heading], section.text),
  ]);
}

function languageCode(tag: string | undefined): Code {
  const value = (tag ?? 'en').trim() || 'en';
  return { ...(LANGUAGES[value] ?? { CodeValue: value, CodingSchemeDesignator: 'RFC5646', CodeMeaning: value }) };
}
