// The final report PDF signs itself: a CMS (PKCS#7) detached signature over the
// whole file except the signature's own hole (the /ByteRange), made with the
// facility's certificate and embedded with the certificate chain, so anyone
// holding the file can check it with any PDF reader or poppler's `pdfsig`; one
// changed byte makes the signature invalid. SubFilter adbe.pkcs7.detached: the
// signature (report-cms-signer.ts, as @signpdf/signer-p12 makes it) signs
// contentType, signingTime and messageDigest only, with no ESS
// signing-certificate-v2 attribute, so calling it ETSI.CAdES.detached (PAdES
// baseline) would promise what it does not hold. The placeholder is added with
// @signpdf/placeholder-plain, which edits any PDF with a classic xref table
// (pdfkit writes one); @signpdf/placeholder-pdfkit works only with pdfkit 0.11.
import { plainAddPlaceholder } from '@signpdf/placeholder-plain';
import { SignPdf } from '@signpdf/signpdf';
import { openP12 } from './facility-signing-certificate';
import { ReportCmsSigner } from './report-cms-signer';

export const REPORT_SIGNATURE_REASON = 'Final radiology report';

/**
 * Bytes reserved for the CMS blob (written as twice as many hex digits): a
 * 3072-bit signature with a CA chain of three certificates stays well below.
 */
const SIGNATURE_LENGTH = 16_384;

export interface ReportPdfSigner {
  /** The facility's PKCS#12 (facility-signing-certificate.ts) and the passphrase that opens it */
  p12: Buffer;
  passphrase: string;
  /** Who signs, as the reader is told: "Dr. Ana Horvat" */
  signerName: string;
  /** The facility */
  location: string;
  /** Recorded in the signature (it is also the CMS signingTime); now by default */
  signingTime?: Date;
}

/** A PDF text string as a hex string: UTF-16BE with its byte order mark (PDF 32000 7.9.2.2), ASCII on the wire. */
function pdfHexText(text: string): string {
  return `<FEFF${Buffer.from(text, 'utf16le').swap16().toString('hex').toUpperCase()}>`;
}

/**
 * placeholder-plain writes a non-ASCII /Name or /Location as UTF-16 and then
 * encodes those bytes as UTF-8 again ("Петров" or "Müller" arrive mangled, BOM
 * included). So it is given ASCII stand-ins of exactly the length of the hex
 * string, which replace them byte for byte before signing: no offset moves.
 */
function standIn(letter: string, text: string): { standIn: string; literal: string; hex: string } {
  const hex = pdfHexText(text);
  const standIn = letter.repeat(hex.length - 2);
  return { standIn, literal: `(${standIn})`, hex };
}

export async function signReportPdf(pdf: Buffer, signer: ReportPdfSigner): Promise<Buffer> {
  const signingTime = signer.signingTime ?? new Date();
  const name = standIn('N', signer.signerName);
  const location = standIn('L', signer.location);
  const withPlaceholder = plainAddPlaceholder({
    pdfBuffer: pdf,
    reason: REPORT_SIGNATURE_REASON,
    contactInfo: '',
    name: name.standIn,
    location: location.standIn,
    signingTime,
    signatureLength: SIGNATURE_LENGTH,
    subFilter: 'adbe.pkcs7.detached',
    appName: 'Telepacs',
  });
  for (const { literal, hex } of [name, location]) {
    const at = withPlaceholder.indexOf(literal, pdf.length - 1, 'latin1');
    if (at < 0) throw new Error('signature placeholder: the /Name or /Location stand-in is missing');
    withPlaceholder.write(hex, at, 'latin1');
  }
  return new SignPdf().sign(withPlaceholder, new ReportCmsSigner(openP12(signer.p12, signer.passphrase)), signingTime);
}
