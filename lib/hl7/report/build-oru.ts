// A signed report version as an ORU^R01 (HL7 v2.5.1 chapter 7, the
// ORU_R01 structure), the way RIS interfaces take radiology results:
//   MSH  us (HL7_APPLICATION^facility code) → the destination's application^facility
//   PID  the patient as the archive knows it (after any HIS update or merge)
//   ORC  RE (observations to follow) with the order's placer/filler numbers
//   OBR  the procedure, when it was done, accession, signed time, F or C, who signed
//   OBX  TX per line of text (OBX-3 the section's LOINC heading, OBX-4 the section),
//        RP the portal link (with PUBLIC_URL), ED the signed PDF (Base64)
// Every value goes through escapeHl7, so text with | ^ & ~ \ or line breaks
// cannot change the message's structure. Pure: the caller gathers the input.
import { escapeHl7 } from '../hl7-message';

export interface OruSection {
  /** OBX-3: the section's heading as a code (CID 7001, LOINC) */
  code: { value: string; scheme: string; meaning: string };
  title: string;
  text: string;
}

export interface OruInput {
  controlId: string;
  /** MSH-7 */
  now: Date;
  sendingApplication: string;
  sendingFacility: string;
  receivingApplication: string;
  receivingFacility: string;
  /** DICOM PN Family^Given^Middle^Prefix^Suffix; sex M/F/O/''; birthDate YYYYMMDD */
  patient: { patientId: string; issuer: string; name: string; sex: string; birthDate: string };
  order: { placerOrderNumber: string; fillerOrderNumber: string; procedureCode: string; procedureText: string; procedureScheme: string; requestingPhysician: string } | null;
  study: { description: string; studyDate: string; studyTime: string; accessionNumber: string };
  /** F: the first signed version; C: an amendment or addendum (the whole corrected report) */
  resultStatus: 'F' | 'C';
  signedAt: Date;
  signerName: string;
  /** Why an amendment or addendum was made; sent first for a C */
  reason: string | null;
  sections: OruSection[];
  /** The report's page in the portal; no OBX RP when null */
  link: string | null;
  /** The signed PDF; no OBX ED when null */
  pdf: Buffer | null;
}

const SEPARATORS = '^~\\&';
/** Local codes of the OBX that are not report sections (L: local coding system) */
export const ORU_CODES = {
  reason: ['REASON', 'Reason for correction', 'L'],
  link: ['LINK', 'Report in the portal', 'L'],
  pdf: ['PDF', 'Signed report (PDF)', 'L'],
} as const;

export function buildOru(input: OruInput): string {
  const e = escapeHl7;
  const segments: string[] = [];
  segments.push(
    segment('MSH', [
      SEPARATORS,
      e(input.sendingApplication),
      e(input.sendingFacility),
      e(input.receivingApplication),
      e(input.receivingFacility),
      hl7Instant(input.now),
      '',
      'ORU^R01^ORU_R01',
      e(input.controlId),
      'P',
      '2.5.1',
      '',
      '',
      '',
      '',
      '',
      'UNICODE UTF-8',
    ]),
  );
  const { patient, order, study } = input;
  segments.push(segment('PID', ['1', '', [e(patient.patientId), '', '', e(patient.issuer), 'MR'].join('^'), '', xpn(patient.name), '', patient.birthDate, hl7Sex(patient.sex)]));
  const placer = e(order?.placerOrderNumber ?? '');
  const filler = e(order?.fillerOrderNumber ?? '');
  segments.push(segment('ORC', ['RE', placer, filler, '', 'CM']));
  const procedure = order && (order.procedureCode || order.procedureText) ? [e(order.procedureCode), e(order.procedureText), e(order.procedureScheme)].join('^') : `^${e(study.description)}`;
  const obr: string[] = [];
  obr[1] = '1';
  obr[2] = placer;
  obr[3] = filler;
  obr[4] = procedure;
  obr[7] = studyDateTime(study.studyDate, study.studyTime);
  obr[16] = order?.requestingPhysician ? `^${xpn(order.requestingPhysician)}` : '';
  obr[18] = e(study.accessionNumber);
  obr[22] = hl7Instant(input.signedAt);
  obr[24] = 'RAD';
  obr[25] = input.resultStatus;
  // OBR-32 NDL, its first component a CNN (ID&family&given…): our users have one display name, sent as the family name
  obr[32] = `&${e(input.signerName)}`;
  segments.push(segment('OBR', fill(obr).slice(1)));

  let setId = 0;
  const obx = (type: string, code: readonly string[], subId: string, value: string) => {
    setId += 1;
    segments.push(segment('OBX', [String(setId), type, code.map(e).join('^'), subId, value, '', '', '', '', '', input.resultStatus, '', '', hl7Instant(input.signedAt)]));
  };
  if (input.resultStatus === 'C' && input.reason?.trim()) {
    for (const line of lines(input.reason)) obx('TX', ORU_CODES.reason, '0', e(line));
  }
  input.sections.forEach((section, index) => {
    const code = [section.code.value, section.code.meaning, section.code.scheme];
    // The title first, so a RIS that shows OBX-5 only still reads the headings
    obx('TX', code, String(index + 1), e(`${section.title}:`));
    for (const line of lines(section.text)) obx('TX', code, String(index + 1), e(line));
  });
  // RP: pointer^application ID^type of data^subtype
  if (input.link) obx('RP', ORU_CODES.link, '', [e(input.link), e(input.sendingApplication), 'TEXT', 'HTML'].join('^'));
  // ED: source application^type of data^subtype^encoding^data (Base64 holds no HL7 delimiter)
  if (input.pdf) obx('ED', ORU_CODES.pdf, '', [e(input.sendingApplication), 'application', 'pdf', 'Base64', input.pdf.toString('base64')].join('^'));
  return `${segments.join('\r')}\r`;
}

function segment(name: string, fields: string[]): string {
  const values = [...fields];
  while (values.length && values[values.length - 1] === '') values.pop();
  return name === 'MSH' ? `MSH|${values.join('|')}` : [name, ...values].join('|');
}

function fill(values: string[]): string[] {
  return Array.from({ length: values.length }, (_, index) => values[index] ?? '');
}

/** A text's lines, trailing spaces and empty lines at either end left out (one OBX each) */
function lines(text: string): string[] {
  const all = text.split(/\r\n|\r|\n/).map((line) => line.trimEnd());
  while (all.length && all[0] === '') all.shift();
  while (all.length && all[all.length - 1] === '') all.pop();
  return all;
}

/** DICOM PN Family^Given^Middle^Prefix^Suffix (first component group) → XPN Family^Given^Middle^Suffix^Prefix */
export function xpn(name: string): string {
  const [family = '', given = '', middle = '', prefix = '', suffix = ''] = (name.split('=')[0] ?? '').split('^');
  const parts = [family, given, middle, suffix, prefix].map((part) => escapeHl7(part.trim()));
  while (parts.length && parts[parts.length - 1] === '') parts.pop();
  return parts.join('^');
}

/** DICOM M/F/O → HL7 table 0001 (M, F, O); unknown left empty */
function hl7Sex(sex: string): string {
  return ['M', 'F', 'O'].includes(sex) ? sex : '';
}

/** An instant as HL7 DTM in UTC with its offset, to the second: 20261207064327+0000 */
export function hl7Instant(at: Date): string {
  return `${at.toISOString().replace(/[-:T]/g, '').slice(0, 14)}+0000`;
}

/** DICOM DA + TM (local time of the modality, no offset) → DTM */
function studyDateTime(date: string, time: string): string {
  if (!/^\d{8}$/.test(date)) return '';
  const digits = time.split('.')[0]?.replace(/[^0-9]/g, '') ?? '';
  return `${date}${/^\d{2,6}$/.test(digits) && digits.length % 2 === 0 ? digits : ''}`;
}
