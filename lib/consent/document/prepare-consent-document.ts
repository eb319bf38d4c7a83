// The consent's evidence document (issue 16): ONE PDF per consent, kept in the
// archive's blob store under consents/<consentId>.pdf and later filed into the
// patient's record as a DICOM Encapsulated PDF by the consent.archive job
// (archive-consent-job.ts), as IHE BPPC files a patient's consent document.
//   SIGNED  the form text and the signature drawn on screen, rendered here;
//   SCANNED a PDF kept byte for byte, a JPEG wrapped in a one-page PDF;
//   VERBAL  a one-page record of who recorded it, the witness and the note.
//
// Called BEFORE the consent's transaction (as prepareReferralAttachment is):
// checking, decoding and fsyncing up to 20 MB is not work to do while holding
// the database's write lock. A committed consent therefore always has its
// bytes; a transaction that fails afterwards leaves a blob without a row under
// consents/ (the key is the consent's fresh id, so it is never taken for
// another consent's document). Nothing is deleted on failure: the blob store
// has no transaction to tie the delete to.
import { createHash } from 'node:crypto';
import type { Archive } from '../../../pacs-core/archive';
import { DomainError } from '../../errors';
import { checkScan, checkSignaturePng } from './check-consent-evidence';
import { renderSignedConsentPdf, renderVerbalConsentPdf, wrapScannedJpeg } from './render-consent-pdf';

export const ARCHIVE_CONSENT_JOB = 'consent.archive';

export interface ConsentDocumentFacts {
  evidence: 'SIGNED' | 'SCANNED' | 'VERBAL';
  decision: 'PERMIT' | 'DENY';
  /** DICOM-form values (PN with ^, YYYYMMDD) */
  patient: { name: string; patientId: string; birthDate: string; sex: string };
  facility: { name: string; address: string };
  /** Words the caller computes: "Cardiology, Regional Hospital", "second opinion, teleconsultation", "all imaging" or "CT HEAD 2026-12-01, ..." */
  recipientWords: string;
  purposeWords: string;
  dataWords: string;
  validFrom: Date;
  validUntil: Date | null;
  /** SIGNED only */
  form: { title: string; body: string; version: number; language: string } | null;
  /** SIGNED only: PNG bytes of the signature drawn on screen */
  signaturePng: Buffer | null;
  signerRole: 'PATIENT' | 'REPRESENTATIVE';
  signerName: string;
  representativeRelation: string;
  witnessName: string;
  note: string;
  recordedBy: { name: string; email: string };
  recordedAt: Date;
  /** SCANNED only: a PDF or JPEG as uploaded */
  scan: { bytes: Buffer; fileName: string } | null;
}

export interface PreparedConsentDocument {
  /** Blob store key: consents/<consentId>.pdf */
  key: string;
  sha256: string;
  size: number;
}

/** Where a consent's document is kept (instance keys start with a Study Instance UID, so they cannot meet). */
export function consentDocumentKey(consentId: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(consentId)) throw new Error(`unsafe consent id for a blob key: ${consentId}`);
  return `consents/${consentId}.pdf`;
}

/**
 * Checks the evidence, renders or wraps it as ONE PDF, writes it durably to
 * the archive's blob store under consents/<consentId>.pdf; its key, SHA-256
 * and size for the Consent row (documentKey, documentSha256). Refusals are
 * DomainErrors with the form field: INVALID_INPUT at `signature` for a
 * missing, unreadable (not a PNG) or blank signature; at `scan` for a missing
 * scan, one that is not a PDF or JPEG by its first bytes or a JPEG that does
 * not decode; PAYLOAD_TOO_LARGE at `scan` over 20 MB; INVALID_INPUT at `form`
 * for a signed consent without its form. null only for evidence this module
 * does not know (EXTERNAL, fed by FHIR without a document).
 */
export async function prepareConsentDocument(context: { archive: Pick<Archive, 'store'> }, consentId: string, facts: ConsentDocumentFacts): Promise<PreparedConsentDocument | null> {
  const key = consentDocumentKey(consentId);
  const pdf = await consentPdf(consentId, facts);
  if (!pdf) return null;
  await context.archive.store.put(key, pdf);
  return { key, sha256: createHash('sha256').update(pdf).digest('hex'), size: pdf.length };
}

async function consentPdf(consentId: string, facts: ConsentDocumentFacts): Promise<Buffer | null> {
  switch (facts.evidence) {
    case 'SIGNED': {
      // The signature first: it is what the person at the screen can fix
      const signature = await checkSignaturePng(facts.signaturePng);
      if (!facts.form) {
        const message = 'Choose the consent form the patient read and signed.';
        throw new DomainError('INVALID_INPUT', `signed consent ${consentId} without its form`, { userMessage: message, fields: { form: message } });
      }
      return renderSignedConsentPdf(consentId, facts, facts.form, signature);
    }
    case 'SCANNED': {
      const kind = await checkScan(facts.scan);
      const scan = facts.scan!;
      // A PDF is the evidence itself: kept byte for byte (it may carry its own signature)
      return kind === 'application/pdf' ? scan.bytes : wrapScannedJpeg(consentId, facts, scan);
    }
    case 'VERBAL':
      return renderVerbalConsentPdf(consentId, facts);
    default:
      return null;
  }
}
