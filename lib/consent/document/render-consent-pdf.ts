// The consent's evidence as a PDF (issue 16), made on the server with pdfkit
// in DejaVu Sans (lib/reports/pdf: real text with a ToUnicode map, so names in
// any European script print and `pdftotext` extracts them):
// - signed on screen: the facility's letterhead, the form's title, version and
//   language, the patient, what was decided (to whom, for what, which data,
//   for how long), the form's text as the patient read it, the signature drawn
//   on screen with the signer's name and role, the witness, who recorded it;
// - verbal: a one-page record of the same facts, "Verbal consent recorded by …,
//   witnessed by …", and the clinician's note;
// - a scanned JPEG: the picture as it is (pdfkit embeds JPEG bytes unchanged),
//   fitted to one A4 page, with one line saying what it is.
// Times are printed in UTC, one zone for every reader wherever the PDF goes.
import sharp from 'sharp';
import { displayDate, displaySex, personNameText } from '../../display/dicom-display';
import { openDejaVuPdf } from '../../reports/pdf/render-report-pdf';
import type { ConsentDocumentFacts } from './prepare-consent-document';

type Doc = PDFKit.PDFDocument;

const MARGIN = 50;
const FOOTER_HEIGHT = 30;
const INK = '#111111';
const MUTED = '#555555';
const RULE = '#999999';
const PANEL = '#f3f5f7';
const DECISION_COLOUR = { PERMIT: '#1b5e20', DENY: '#b00020' } as const;

/** "2026-12-06 15:57 UTC" */
export function utcTime(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function utcDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** "from 2026-12-07 until revoked", "from 2026-12-07 to 2027-12-06" */
export function periodWords(validFrom: Date, validUntil: Date | null): string {
  return validUntil ? `from ${utcDate(validFrom)} to ${utcDate(validUntil)}` : `from ${utcDate(validFrom)} until revoked`;
}

/** "English (en)"; the tag alone when the runtime does not know it */
function languageWords(tag: string): string {
  try {
    const name = new Intl.DisplayNames(['en'], { type: 'language' }).of(tag);
    return name && name !== tag ? `${name} (${tag})` : tag;
  } catch {
    return tag;
  }
}

const DECISION_WORDS = {
  PERMIT: 'PERMIT — the images may be shared as described',
  DENY: 'DENY — the images may not be shared as described',
} as const;

/** Who gave it: "Åse Ødegård (the patient)", "Ola Nordmann, representative (mother) of the patient" */
export function signerWords(facts: Pick<ConsentDocumentFacts, 'signerRole' | 'signerName' | 'representativeRelation' | 'patient'>): string {
  if (facts.signerRole === 'REPRESENTATIVE') {
    const relation = facts.representativeRelation.trim();
    return `${facts.signerName.trim() || '(name not given)'}, representative${relation ? ` (${relation})` : ''} of the patient`;
  }
  return `${facts.signerName.trim() || personNameText(facts.patient.name) || '(name not given)'} (the patient)`;
}

function newDocument(info: { title: string; subject: string; author: string; createdAt: Date }, size: string | [number, number] = 'A4', margins = { top: MARGIN, left: MARGIN, right: MARGIN, bottom: MARGIN + FOOTER_HEIGHT }): { doc: Doc; done: Promise<Buffer> } {
  return openDejaVuPdf({
    size,
    margins,
    info: { Title: info.title, Subject: info.subject, Author: info.author, Creator: 'Telepacs', CreationDate: info.createdAt },
    displayTitle: true,
    lang: 'und',
  });
}

function contentWidth(doc: Doc): number {
  return doc.page.width - 2 * MARGIN;
}

function rule(doc: Doc): void {
  doc.moveTo(MARGIN, doc.y).lineTo(doc.page.width - MARGIN, doc.y).lineWidth(0.7).strokeColor(RULE).stroke();
  doc.y += 8;
}

function letterhead(doc: Doc, facility: ConsentDocumentFacts['facility']): void {
  doc.font('bold').fontSize(15).fillColor(INK).text(facility.name, MARGIN, doc.y, { width: contentWidth(doc) });
  if (facility.address.trim()) doc.font('regular').fontSize(9).fillColor(MUTED).text(facility.address.trim(), { width: contentWidth(doc) });
  doc.moveDown(0.4);
  rule(doc);
}

function heading(doc: Doc, text: string): void {
  if (doc.y + 60 > doc.page.height - doc.page.margins.bottom) doc.addPage();
  doc.moveDown(0.3);
  doc.font('bold').fontSize(11).fillColor(INK).text(text, MARGIN, doc.y, { width: contentWidth(doc) });
  doc.moveDown(0.2);
}

/** Rows of "label  value" on a light panel */
function panel(doc: Doc, rows: ReadonlyArray<readonly [string, string, string?]>): void {
  const width = contentWidth(doc);
  const labelWidth = 110;
  const valueWidth = width - labelWidth - 20;
  doc.fontSize(10);
  const heights = rows.map(([, value]) => Math.max(14, doc.font('regular').heightOfString(value || '—', { width: valueWidth })) + 4);
  const height = heights.reduce((sum, row) => sum + row, 0) + 12;
  if (doc.y + height > doc.page.height - doc.page.margins.bottom) doc.addPage();
  const top = doc.y;
  doc.rect(MARGIN, top, width, height).fill(PANEL);
  let y = top + 6;
  rows.forEach(([label, value, colour], index) => {
    doc.font('regular').fontSize(9).fillColor(MUTED).text(label, MARGIN + 10, y + 1, { width: labelWidth });
    doc.font(colour ? 'bold' : 'regular').fontSize(10).fillColor(colour ?? INK).text(value || '—', MARGIN + 10 + labelWidth, y, { width: valueWidth });
    y += heights[index];
  });
  doc.x = MARGIN;
  doc.y = top + height + 8;
}

function patientPanel(doc: Doc, patient: ConsentDocumentFacts['patient']): void {
  panel(doc, [
    ['Name', personNameText(patient.name) || '(no name)'],
    ['Patient ID', patient.patientId],
    ['Birth date', displayDate(patient.birthDate)],
    ['Sex', displaySex(patient.sex)],
  ]);
}

function decisionPanel(doc: Doc, facts: ConsentDocumentFacts): void {
  panel(doc, [
    ['Decision', DECISION_WORDS[facts.decision], DECISION_COLOUR[facts.decision]],
    ['Shared with', facts.recipientWords],
    ['Purposes', facts.purposeWords],
    ['Data', facts.dataWords],
    ['Valid', periodWords(facts.validFrom, facts.validUntil)],
  ]);
}

function paragraph(doc: Doc, text: string, size = 10.5): void {
  doc.font('regular').fontSize(size).fillColor(INK).text(text, MARGIN, doc.y, { width: contentWidth(doc), lineGap: 2 });
  doc.moveDown(0.5);
}

function recordedLine(facts: ConsentDocumentFacts): string {
  return `Recorded in Telepacs by ${facts.recordedBy.name} (${facts.recordedBy.email}) on ${utcTime(facts.recordedAt)}.`;
}

/** The signature drawn on screen over its line, the signer's name and role; the witness beside it. */
function signatureBlock(doc: Doc, facts: ConsentDocumentFacts, signaturePng: Buffer): void {
  const blockHeight = 150;
  if (doc.y + blockHeight > doc.page.height - doc.page.margins.bottom) doc.addPage();
  doc.moveDown(0.5);
  const top = doc.y;
  const width = contentWidth(doc);
  const signatureWidth = width * 0.58;
  const imageHeight = 80;
  doc.font('regular').fontSize(9).fillColor(MUTED).text(facts.signerRole === 'REPRESENTATIVE' ? 'Signature of the representative' : 'Signature of the patient', MARGIN, top, { width: signatureWidth });
  const imageTop = doc.y + 2;
  doc.image(signaturePng, MARGIN, imageTop, { fit: [signatureWidth, imageHeight], valign: 'bottom' });
  const lineY = imageTop + imageHeight + 2;
  doc.moveTo(MARGIN, lineY).lineTo(MARGIN + signatureWidth, lineY).lineWidth(0.8).strokeColor(INK).stroke();
  doc.font('bold').fontSize(10).fillColor(INK).text(signerWords(facts), MARGIN, lineY + 4, { width: signatureWidth });
  doc.font('regular').fontSize(9).fillColor(MUTED).text(`Signed on screen on ${utcTime(facts.recordedAt)}`, { width: signatureWidth });
  const bottomLeft = doc.y;

  const witnessX = MARGIN + signatureWidth + 20;
  const witnessWidth = width - signatureWidth - 20;
  doc.font('regular').fontSize(9).fillColor(MUTED).text('Witness', witnessX, top, { width: witnessWidth });
  doc.moveTo(witnessX, lineY).lineTo(witnessX + witnessWidth, lineY).lineWidth(0.8).strokeColor(INK).stroke();
  doc.font('bold').fontSize(10).fillColor(INK).text(facts.witnessName.trim() || 'No witness', witnessX, lineY + 4, { width: witnessWidth });
  doc.x = MARGIN;
  doc.y = Math.max(bottomLeft, doc.y) + 10;
}

/** On every page once the count is known: who recorded it, the consent's id, "Page n of m". */
function footer(doc: Doc, consentId: string, facts: ConsentDocumentFacts): void {
  const range = doc.bufferedPageRange();
  for (let index = range.start; index < range.start + range.count; index += 1) {
    doc.switchToPage(index);
    // Writing inside the bottom margin must not start a new page
    const bottomMargin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const { width, height } = doc.page;
    const footerY = height - MARGIN + 12;
    doc.moveTo(MARGIN, footerY - 6).lineTo(width - MARGIN, footerY - 6).lineWidth(0.5).strokeColor(RULE).stroke();
    doc.font('regular').fontSize(7.5).fillColor(MUTED);
    const who = `${personNameText(facts.patient.name)} · ID ${facts.patient.patientId} · consent ${consentId}`;
    doc.text(who, MARGIN, footerY, { width: width - 2 * MARGIN - 80, lineBreak: false, ellipsis: true });
    doc.text(`Page ${index - range.start + 1} of ${range.count}`, width - MARGIN - 80, footerY, { width: 80, align: 'right', lineBreak: false });
    doc.page.margins.bottom = bottomMargin;
  }
}

function subjectOf(facts: ConsentDocumentFacts): string {
  return `${personNameText(facts.patient.name)} (ID ${facts.patient.patientId}) — ${facts.decision === 'PERMIT' ? 'consent' : 'refusal'} to share images`;
}

/** A form signed on screen; `signaturePng` as checkSignaturePng returned it. */
export async function renderSignedConsentPdf(consentId: string, facts: ConsentDocumentFacts, form: NonNullable<ConsentDocumentFacts['form']>, signaturePng: Buffer): Promise<Buffer> {
  const { doc, done } = newDocument({ title: form.title, subject: subjectOf(facts), author: facts.facility.name, createdAt: facts.recordedAt });
  letterhead(doc, facts.facility);
  doc.font('bold').fontSize(16).fillColor(INK).text(form.title, MARGIN, doc.y, { width: contentWidth(doc) });
  doc.font('regular').fontSize(9).fillColor(MUTED).text(`Consent form version ${form.version} · ${languageWords(form.language)}`, { width: contentWidth(doc) });
  doc.moveDown(0.6);
  heading(doc, 'Patient');
  patientPanel(doc, facts.patient);
  heading(doc, 'Sharing of images');
  decisionPanel(doc, facts);
  heading(doc, 'Consent text');
  for (const block of form.body.replace(/\r\n?/g, '\n').split(/\n\s*\n/)) {
    if (block.trim()) paragraph(doc, block.trim());
  }
  if (facts.note.trim()) {
    heading(doc, 'Note');
    paragraph(doc, facts.note.trim(), 10);
  }
  const attestation =
    facts.signerRole === 'REPRESENTATIVE'
      ? 'By signing below, I confirm that I have read this text (or had it read to me), that the decision above is the one I make for the patient, and that I may decide for them.'
      : 'By signing below, I confirm that I have read this text (or had it read to me) and that the decision above is mine.';
  // The attestation stays on the page of the signature it introduces
  if (doc.y + 200 > doc.page.height - doc.page.margins.bottom) doc.addPage();
  doc.moveDown(0.3);
  paragraph(doc, attestation, 9.5);
  signatureBlock(doc, facts, signaturePng);
  doc.font('regular').fontSize(8.5).fillColor(MUTED).text(recordedLine(facts), MARGIN, doc.y, { width: contentWidth(doc) });
  footer(doc, consentId, facts);
  doc.end();
  return done;
}

/** A verbal consent (or refusal) recorded by the clinician with a witness. */
export async function renderVerbalConsentPdf(consentId: string, facts: ConsentDocumentFacts): Promise<Buffer> {
  const what = facts.decision === 'PERMIT' ? 'consent' : 'refusal';
  const title = `Record of verbal ${what}`;
  const { doc, done } = newDocument({ title, subject: subjectOf(facts), author: facts.recordedBy.name, createdAt: facts.recordedAt });
  letterhead(doc, facts.facility);
  doc.font('bold').fontSize(16).fillColor(INK).text(title, MARGIN, doc.y, { width: contentWidth(doc) });
  doc.moveDown(0.4);
  const witness = facts.witnessName.trim() ? `witnessed by ${facts.witnessName.trim()}` : 'without a witness';
  paragraph(doc, `Verbal ${what} recorded by ${facts.recordedBy.name} (${facts.recordedBy.email}) on ${utcTime(facts.recordedAt)}, ${witness}. Given by ${signerWords(facts)}.`);
  heading(doc, 'Patient');
  patientPanel(doc, facts.patient);
  heading(doc, 'Sharing of images');
  decisionPanel(doc, facts);
  heading(doc, 'Clinician\'s note');
  paragraph(doc, facts.note.trim() || '—', 10);
  doc.moveDown(0.5);
  doc.font('regular').fontSize(8.5).fillColor(MUTED).text(recordedLine(facts), MARGIN, doc.y, { width: contentWidth(doc) });
  footer(doc, consentId, facts);
  doc.end();
  return done;
}

/** A scanned JPEG, kept as a PDF: one A4 page (landscape for a wide scan), the picture fitted, one line under it. */
export async function wrapScannedJpeg(consentId: string, facts: ConsentDocumentFacts, scan: { bytes: Buffer; fileName: string }): Promise<Buffer> {
  const edge = 24;
  const caption = 20;
  // Upright as pdfkit draws it (it turns the picture by its EXIF orientation, as sharp's autoOrient says)
  const { autoOrient } = await sharp(scan.bytes).metadata();
  const landscape = autoOrient.width > autoOrient.height;
  const [width, height] = landscape ? [841.89, 595.28] : [595.28, 841.89];
  const title = `Scanned ${facts.decision === 'PERMIT' ? 'consent' : 'refusal'} form`;
  const { doc, done } = newDocument({ title, subject: subjectOf(facts), author: facts.recordedBy.name, createdAt: facts.recordedAt }, [width, height], { top: edge, left: edge, right: edge, bottom: 0 });
  doc.image(scan.bytes, edge, edge, { fit: [width - 2 * edge, height - 2 * edge - caption], align: 'center', valign: 'center' });
  const line = `${title} ${scan.fileName} · ${personNameText(facts.patient.name)} · ID ${facts.patient.patientId} · uploaded by ${facts.recordedBy.name} on ${utcTime(facts.recordedAt)} · consent ${consentId}`;
  doc.font('regular').fontSize(7.5).fillColor(MUTED).text(line, edge, height - edge - caption + 8, { width: width - 2 * edge, lineBreak: false, ellipsis: true });
  doc.end();
  return done;
}
