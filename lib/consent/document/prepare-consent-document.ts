// PLACEHOLDER until the consent-document part lands (helper branch i16-docs replaces this file).
import type { Archive } from '../../../pacs-core/archive';

export const ARCHIVE_CONSENT_JOB = 'consent.archive';
export interface ConsentDocumentFacts {
  evidence: 'SIGNED' | 'SCANNED' | 'VERBAL';
  decision: 'PERMIT' | 'DENY';
  patient: { name: string; patientId: string; birthDate: string; sex: string };
  facility: { name: string; address: string };
  recipientWords: string;
  purposeWords: string;
  dataWords: string;
  validFrom: Date;
  validUntil: Date | null;
  form: { title: string; body: string; version: number; language: string } | null;
  signaturePng: Buffer | null;
  signerRole: 'PATIENT' | 'REPRESENTATIVE';
  signerName: string;
  representativeRelation: string;
  witnessName: string;
  note: string;
  recordedBy: { name: string; email: string };
  recordedAt: Date;
  scan: { bytes: Buffer; fileName: string } | null;
}
export interface PreparedConsentDocument {
  key: string;
  sha256: string;
  size: number;
}
export async function prepareConsentDocument(_context: { archive: Pick<Archive, 'store'> }, _consentId: string, _facts: ConsentDocumentFacts): Promise<PreparedConsentDocument | null> {
  throw new Error('consent documents are not built yet');
}
