// A small real PDF (pdfkit, A4, one paragraph): a referral letter, a consent form — what the
// tests attach, upload or file as a document.
import PDFDocument from 'pdfkit';

export function makePdf(text: string, title?: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', ...(title ? { info: { Title: title } } : {}) });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.fontSize(14).text(text);
    doc.end();
  });
}
