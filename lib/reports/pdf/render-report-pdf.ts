// The radiology report as a PDF (A4), made on the server with pdfkit: the
// facility's letterhead, who and what the report is about, the sections, the
// key images, the signature block, and on every page the status, version and
// "Page n of m". Text is real text in an embedded DejaVu Sans subset (with a
// ToUnicode map), so Cyrillic and Latin with diacritics print and `pdftotext`
// extracts them; the standard PDF fonts cover Latin-1 only.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import PDFDocument from 'pdfkit';
import { DomainError } from '../../errors/domain-error';
import { drawKeyImageAnnotations, type PrintedImage } from './draw-key-image-annotations';
import { MAX_REPORT_PDF_KEY_IMAGES, type ReportPdfInput } from './report-pdf-input';
import { displayDate, personNameText } from '../../display/dicom-display';

// Beside this file in the source tree; from the working directory when a bundler moved this file (Next's .next/server)
const FONT_DIRS = [
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../node_modules/dejavu-fonts-ttf/ttf'),
  path.resolve('node_modules/dejavu-fonts-ttf/ttf'),
];
let fonts: { regular: Buffer; bold: Buffer } | undefined;
/** DejaVu Sans regular and bold (read once): every PDF Telepacs makes uses them (the consent's document too, lib/consent/document). */
export function dejaVu(): { regular: Buffer; bold: Buffer } {
  if (fonts) return fonts;
  const directory = FONT_DIRS.find((candidate) => existsSync(path.join(candidate, 'DejaVuSans.ttf')));
  if (!directory) throw new Error(`DejaVu Sans not found (npm package dejavu-fonts-ttf) in ${FONT_DIRS.join(' or ')}`);
  fonts = {
    regular: readFileSync(path.join(directory, 'DejaVuSans.ttf')),
    bold: readFileSync(path.join(directory, 'DejaVuSans-Bold.ttf')),
  };
  return fonts;
}

/**
 * A pdfkit document in DejaVu Sans ('regular', 'bold'), buffering pages, and the PDF's bytes once
 * `doc.end()` is called: how every PDF Telepacs makes starts (the report, the consent's document).
 */
export function openDejaVuPdf(options: Omit<PDFKit.PDFDocumentOptions, 'font' | 'bufferPages'>): { doc: PDFKit.PDFDocument; done: Promise<Buffer> } {
  const { regular, bold } = dejaVu();
  // font: without it pdfkit loads Helvetica from its own data folder first
  const doc = new PDFDocument({ ...options, bufferPages: true, font: regular as unknown as string });
  doc.registerFont('regular', regular);
  doc.registerFont('bold', bold);
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.font('regular');
  return { doc, done };
}

const MARGIN = 50;
const FOOTER_HEIGHT = 30;
const INK = '#111111';
const MUTED = '#555555';
const RULE = '#999999';
/** Font size of the annotation lines under a key image's caption */
const ANNOTATION_LINE_SIZE = 8;
const STATUS_WORDS: Record<ReportPdfInput['status'], string> = {
  PRELIMINARY: 'PRELIMINARY — not signed, may change',
  FINAL: 'FINAL',
  AMENDED: 'AMENDED',
  ADDENDUM: 'ADDENDUM',
};

type Doc = PDFKit.PDFDocument;

/** "2026-12-06 15:57 UTC": one zone for every reader, wherever the PDF travels. */
function utcTime(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function letterhead(doc: Doc, facility: ReportPdfInput['facility']): void {
  const top = doc.y;
  let textLeft = MARGIN;
  if (facility.logo && facility.logo.length > 0) {
    try {
      doc.image(Buffer.from(facility.logo), MARGIN, top, { fit: [110, 55] });
      textLeft = MARGIN + 125;
    } catch {
      // Checked when it was uploaded (facility-logo.ts); a report is never refused for its letterhead
    }
  }
  const width = doc.page.width - MARGIN - textLeft;
  doc.font('bold').fontSize(15).fillColor(INK).text(facility.name, textLeft, top, { width });
  doc.font('regular').fontSize(9).fillColor(MUTED);
  for (const line of [facility.address, facility.phone ? `Tel. ${facility.phone}` : null]) {
    if (line?.trim()) doc.text(line.trim(), textLeft, doc.y, { width });
  }
  doc.y = Math.max(doc.y, top + 55) + 8;
  rule(doc);
}

function rule(doc: Doc): void {
  doc.moveTo(MARGIN, doc.y).lineTo(doc.page.width - MARGIN, doc.y).lineWidth(0.7).strokeColor(RULE).stroke();
  doc.y += 8;
}

/** Two columns of "label: value" pairs (patient left, study right). */
function identification(doc: Doc, input: ReportPdfInput): void {
  const { patient, study } = input;
  const columnWidth = (doc.page.width - 2 * MARGIN - 20) / 2;
  const left: Array<[string, string]> = [
    ['Patient', personNameText(patient.name)],
    ['MRN', patient.mrn],
    ['Birth date', displayDate(patient.birthDate)],
    ['Sex', patient.sex ?? ''],
  ];
  const right: Array<[string, string]> = [
    ['Study', study.description ?? ''],
    ['Study date', displayDate(study.date)],
    ['Accession', study.accession ?? ''],
    ['Modality', study.modalities.join(', ')],
    ['Referring', personNameText(input.referringPhysician)],
  ];
  if (input.comparisonStudyLabel?.trim()) right.push(['Compared with', input.comparisonStudyLabel.trim()]);
  const top = doc.y;
  const bottoms = [left, right].map((pairs, column) => {
    const x = MARGIN + column * (columnWidth + 20);
    doc.y = top;
    for (const [label, value] of pairs) {
      const y = doc.y;
      doc.font('regular').fontSize(8.5).fillColor(MUTED).text(label, x, y, { width: 72 });
      doc.font(label === 'Patient' ? 'bold' : 'regular').fontSize(9.5).fillColor(INK).text(value || '—', x + 76, y, { width: columnWidth - 76 });
      doc.y += 2;
    }
    return doc.y;
  });
  doc.x = MARGIN;
  doc.y = Math.max(...bottoms) + 4;
  rule(doc);
}

function titleAndStatus(doc: Doc, input: ReportPdfInput): void {
  const width = doc.page.width - 2 * MARGIN;
  doc.font('bold').fontSize(14).fillColor(INK).text(input.documentTitle, MARGIN, doc.y, { width });
  const statusColor = input.status === 'PRELIMINARY' ? '#b00020' : INK;
  doc.font('bold').fontSize(10).fillColor(statusColor).text(`${STATUS_WORDS[input.status]} · version ${input.version}`, { width });
  doc.moveDown(0.5);
  if (input.amendment) {
    const text = `${input.status === 'ADDENDUM' ? 'Addendum' : 'Amended'}: ${input.amendment.reason}\n${input.amendment.supersededNote}`;
    doc.font('regular').fontSize(9.5);
    const height = doc.heightOfString(text, { width: width - 16 }) + 12;
    const y = doc.y;
    doc.rect(MARGIN, y, width, height).fillAndStroke('#fff4e0', '#c77700');
    doc.fillColor(INK).text(text, MARGIN + 8, y + 6, { width: width - 16 });
    doc.x = MARGIN;
    doc.y = y + height + 8;
  }
}

function sections(doc: Doc, input: ReportPdfInput): void {
  const width = doc.page.width - 2 * MARGIN;
  for (const section of input.sections) {
    const text = section.text.trim();
    if (!text) continue;
    // A heading never stands alone at a page's foot
    if (doc.y + 50 > doc.page.height - doc.page.margins.bottom) doc.addPage();
    doc.font('bold').fontSize(11).fillColor(INK).text(section.title, MARGIN, doc.y, { width });
    doc.moveDown(0.2);
    doc.font('regular').fontSize(10.5).fillColor(INK).text(text, MARGIN, doc.y, { width, lineGap: 2 });
    doc.moveDown(0.8);
  }
}

/** pdfkit's openImage (its own image() calls it; @types/pdfkit leaves it out): the size decides where the annotations go */
function openImage(doc: Doc, bytes: Buffer): { width: number; height: number } {
  return (doc as Doc & { openImage(src: Buffer): { width: number; height: number } }).openImage(bytes);
}

/** Key images two to a row, each fitted into its cell, its annotations drawn over it, its caption and annotation lines below. */
function keyImages(doc: Doc, images: ReportPdfInput['keyImages']): void {
  const shown = images.slice(0, MAX_REPORT_PDF_KEY_IMAGES);
  if (shown.length === 0) return;
  const gap = 15;
  const cellWidth = (doc.page.width - 2 * MARGIN - gap) / 2;
  const imageHeight = 190;
  const captionHeight = 36;
  const lineHeight = ANNOTATION_LINE_SIZE * 1.25;
  const bottom = () => doc.page.height - doc.page.margins.bottom;
  const rowHeightOf = (row: typeof shown) => imageHeight + captionHeight + Math.max(0, ...row.map((image) => image.annotations?.length ?? 0)) * lineHeight;
  if (doc.y + 20 + rowHeightOf(shown.slice(0, 2)) > bottom()) doc.addPage();
  doc.font('bold').fontSize(11).fillColor(INK).text('Key images', MARGIN, doc.y);
  doc.moveDown(0.3);
  for (let index = 0; index < shown.length; index += 2) {
    const row = shown.slice(index, index + 2);
    const rowHeight = rowHeightOf(row);
    if (doc.y + rowHeight > bottom()) doc.addPage();
    const y = doc.y;
    row.forEach((image, column) => {
      const x = MARGIN + column * (cellWidth + gap);
      doc.rect(x, y, cellWidth, imageHeight).fill('#000000');
      let printed: PrintedImage;
      try {
        const opened = openImage(doc, Buffer.from(image.png));
        const scale = Math.min(cellWidth / opened.width, imageHeight / opened.height);
        const [width, height] = [opened.width * scale, opened.height * scale];
        printed = { x: x + (cellWidth - width) / 2, y: y + (imageHeight - height) / 2, width, height, columns: image.frame?.columns ?? opened.width, rows: image.frame?.rows ?? opened.height };
        doc.image(opened as unknown as Buffer, printed.x, printed.y, { width, height });
      } catch (error) {
        const problem = `Key image ${index + column + 1} is not a readable PNG or JPEG image`;
        throw new DomainError('INVALID_INPUT', `${problem}: ${error instanceof Error ? error.message : String(error)}`, { userMessage: problem, fields: { keyImages: problem } });
      }
      drawKeyImageAnnotations(doc, image.annotations ?? [], printed);
      const caption = `${index + column + 1}. ${image.caption}`;
      doc.font('regular').fontSize(8.5).fillColor(MUTED);
      const linesTop = y + imageHeight + 4 + Math.min(28, doc.heightOfString(caption, { width: cellWidth })) + 3;
      doc.text(caption, x, y + imageHeight + 4, { width: cellWidth, height: 28, ellipsis: true });
      // One line per annotation, numbered as on the image: "1 Length 23.4 mm"
      (image.annotations ?? []).forEach((annotation, number) => {
        doc.font('regular').fontSize(ANNOTATION_LINE_SIZE).fillColor(INK).text(`${number + 1} ${annotation.description}`, x, linesTop + number * lineHeight, { width: cellWidth, lineBreak: false, ellipsis: true });
      });
    });
    doc.x = MARGIN;
    doc.y = y + rowHeight;
  }
}

function signatureBlock(doc: Doc, input: ReportPdfInput): void {
  const width = doc.page.width - 2 * MARGIN;
  if (doc.y + 70 > doc.page.height - doc.page.margins.bottom) doc.addPage();
  doc.moveDown(0.5);
  rule(doc);
  if (input.signature && input.status !== 'PRELIMINARY') {
    doc.font('bold').fontSize(10.5).fillColor(INK).text(`Electronically signed by ${personNameText(input.signature.signerName) || input.signature.signerName}`, MARGIN, doc.y, { width });
    doc.font('regular').fontSize(9.5).fillColor(MUTED).text(`Signed at ${utcTime(input.signature.signedAt)} · version ${input.version} · ${input.facility.name}`, { width });
    if (input.signature.authorName) doc.text(`Written by ${personNameText(input.signature.authorName) || input.signature.authorName}`, { width });
    doc.text('This PDF carries a digital signature of the facility; any change to the file makes it invalid.', { width });
  } else {
    doc.font('bold').fontSize(10.5).fillColor('#b00020').text('Not signed: PRELIMINARY report, the final report may differ.', MARGIN, doc.y, { width });
  }
}

/** On every page, once the page count is known: the PRELIMINARY watermark and banner, and the footer. */
function pageMarks(doc: Doc, input: ReportPdfInput): void {
  const range = doc.bufferedPageRange();
  for (let index = range.start; index < range.start + range.count; index += 1) {
    doc.switchToPage(index);
    // Writing inside the bottom margin must not start a new page
    const bottomMargin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const { width, height } = doc.page;
    if (input.status === 'PRELIMINARY') {
      doc.save();
      doc.rotate(-45, { origin: [width / 2, height / 2] });
      // The diagonal is longer than the page is wide: the text box reaches past both edges
      doc.font('bold').fontSize(72).fillColor('#b00020').fillOpacity(0.1);
      doc.text('PRELIMINARY', -150, height / 2 - 36, { width: width + 300, align: 'center', lineBreak: false });
      doc.restore();
      doc.font('bold').fontSize(8).fillColor('#b00020').fillOpacity(1);
      doc.text('PRELIMINARY REPORT — NOT SIGNED', MARGIN, 22, { width: width - 2 * MARGIN, align: 'center', lineBreak: false });
    }
    const footerY = height - MARGIN + 12;
    doc.moveTo(MARGIN, footerY - 6).lineTo(width - MARGIN, footerY - 6).lineWidth(0.5).strokeColor(RULE).stroke();
    doc.font('regular').fontSize(8).fillColor(MUTED).fillOpacity(1);
    const who = `${personNameText(input.patient.name)} · MRN ${input.patient.mrn} · ${input.status} v${input.version}`;
    doc.text(who, MARGIN, footerY, { width: width - 2 * MARGIN - 80, lineBreak: false, ellipsis: true });
    doc.text(`Page ${index - range.start + 1} of ${range.count}`, width - MARGIN - 80, footerY, { width: 80, align: 'right', lineBreak: false });
    doc.page.margins.bottom = bottomMargin;
  }
}

export async function renderReportPdf(input: ReportPdfInput): Promise<Buffer> {
  const signedAt = input.signature?.signedAt;
  const { doc, done } = openDejaVuPdf({
    size: 'A4',
    margins: { top: MARGIN, left: MARGIN, right: MARGIN, bottom: MARGIN + FOOTER_HEIGHT },
    info: {
      Title: input.documentTitle,
      Author: input.signature ? personNameText(input.signature.signerName) : input.facility.name,
      Subject: `${personNameText(input.patient.name)} (MRN ${input.patient.mrn}) — ${input.status} v${input.version}`,
      Creator: 'Telepacs',
      ...(signedAt ? { CreationDate: signedAt } : {}),
    },
    displayTitle: true,
    lang: 'und',
  });
  letterhead(doc, input.facility);
  identification(doc, input);
  titleAndStatus(doc, input);
  sections(doc, input);
  keyImages(doc, input.keyImages);
  signatureBlock(doc, input);
  pageMarks(doc, input);
  doc.end();
  return done;
}
