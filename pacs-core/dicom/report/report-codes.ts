// The coded concepts of a TID 2000 Basic Diagnostic Imaging Report (PS3.16):
// the document title (CID 7000), its section headings (CID 7001, in their
// LOINC form, which PS3.16 prefers to the older DCM codes) and the report
// elements a heading contains (CID 7002).
import { code, type Code } from '../sr/codes';

export const REPORT_CODES = {
  // CID 7000: the root concept of TID 2000, and the encapsulated PDF's concept name
  diagnosticImagingReport: code('18748-4', 'LN', 'Diagnostic Imaging Report'),
  // TID 1210 Equivalent Meaning of Concept Name: a heading's title in the report's language
  equivalentMeaning: code('121050', 'DCM', 'Equivalent Meaning of Concept Name'),
  // TID 2001 row: an image that illustrates the findings
  bestIllustration: code('121080', 'DCM', 'Best illustration of finding'),
} as const;

/** CID 7001 Diagnostic Imaging Report Headings (LOINC). */
export const SECTION_HEADINGS = {
  clinicalInformation: code('55752-0', 'LN', 'Clinical Information'),
  history: code('11329-0', 'LN', 'History'),
  request: code('55115-0', 'LN', 'Request'),
  indications: code('18785-6', 'LN', 'Indications for Procedure'),
  currentProcedure: code('55111-9', 'LN', 'Current Procedure Descriptions'),
  comparison: code('18834-2', 'LN', 'Previous Findings'),
  findings: code('59776-5', 'LN', 'Findings'),
  impressions: code('19005-8', 'LN', 'Impressions'),
  recommendations: code('18783-1', 'LN', 'Recommendations'),
  conclusions: code('55110-1', 'LN', 'Conclusions'),
  addendum: code('55107-7', 'LN', 'Addendum'),
  summary: code('55112-7', 'LN', 'Summary'),
  keyImages: code('55113-5', 'LN', 'Key Images'),
} as const;

export type SectionHeading = keyof typeof SECTION_HEADINGS;

/** CID 7002 Diagnostic Imaging Report Elements: the TEXT item a section of each heading holds. */
const ELEMENTS = {
  history: code('11329-0', 'LN', 'History'),
  request: code('55115-0', 'LN', 'Request'),
  procedureDescription: code('121065', 'DCM', 'Procedure Description'),
  previousFinding: code('121069', 'DCM', 'Previous Finding'),
  finding: code('121071', 'DCM', 'Finding'),
  impression: code('121073', 'DCM', 'Impression'),
  recommendation: code('121075', 'DCM', 'Recommendation'),
  conclusion: code('121077', 'DCM', 'Conclusion'),
  summary: code('55112-7', 'LN', 'Summary'),
} as const;

/** CID 7002 Finding: the TEXT an arrow's words on a key image are filed as */
export const FINDING: Code = ELEMENTS.finding;

export const SECTION_ELEMENT: Readonly<Record<SectionHeading, Code>> = {
  clinicalInformation: ELEMENTS.history,
  history: ELEMENTS.history,
  request: ELEMENTS.request,
  indications: ELEMENTS.request,
  currentProcedure: ELEMENTS.procedureDescription,
  comparison: ELEMENTS.previousFinding,
  findings: ELEMENTS.finding,
  impressions: ELEMENTS.impression,
  recommendations: ELEMENTS.recommendation,
  conclusions: ELEMENTS.conclusion,
  addendum: ELEMENTS.finding,
  summary: ELEMENTS.summary,
  keyImages: ELEMENTS.finding,
};

/** RFC 5646 language tags the report may be written in (TID 1204), with the meaning PS3.16 CID 5000 gives. */
export const LANGUAGES: Readonly<Record<string, Code>> = {
  en: code('en', 'RFC5646', 'English'),
  ru: code('ru', 'RFC5646', 'Russian'),
  de: code('de', 'RFC5646', 'German'),
  fr: code('fr', 'RFC5646', 'French'),
};
