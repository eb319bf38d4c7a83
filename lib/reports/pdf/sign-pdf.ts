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

export async function signReportPdf(pdf: Buffer, signer: ReportPdfSigner): Promise<Buffer> {
  const signingTime = signer.signingTime ?? new Date();
  const withPlaceholder = plainAddPlaceholder({
    pdfBuffer: pdf,
    reason: REPORT_SIGNATURE_REASON,
    contactInfo: '',
    name: signer.signerName,
    location: signer.location,
    signingTime,
    signatureLength: SIGNATURE_LENGTH,
    subFilter: 'adbe.pkcs7.detached',
    appName: 'Telepacs',
  });
  return new SignPdf().sign(withPlaceholder, new ReportCmsSigner(openP12(signer.p12, signer.passphrase)), signingTime);
}
