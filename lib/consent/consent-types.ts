// The words of a consent (FHIR Consent-shaped, prisma/schema.base.prisma Consent):
// validated strings, since the schema has no enums. The grant purposes of
// lib/grants map onto the consent purposes a patient agrees to.
// No zod here: pages import these words, and zod in a browser bundle trips the
// portal's CSP (its eval probe); the schemas are in consent-schemas.ts.
import type { GrantPurpose } from '../grants/purposes';

export const CONSENT_PURPOSES = ['SECOND_OPINION', 'TELECONSULTATION', 'EMERGENCY_CARE', 'TRANSFER', 'RESEARCH'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

export const CONSENT_PURPOSE_WORDS: Record<ConsentPurpose, string> = {
  SECOND_OPINION: 'second opinion',
  TELECONSULTATION: 'teleconsultation',
  EMERGENCY_CARE: 'emergency care',
  TRANSFER: 'transfer',
  RESEARCH: 'research',
};

export const CONSENT_DECISIONS = ['PERMIT', 'DENY'] as const;
export type ConsentDecision = (typeof CONSENT_DECISIONS)[number];

/** REGION: any facility of the region (every facility of this node); a guest of a teleconsultation is not one. */
export const RECIPIENT_KINDS = ['REGION', 'FACILITY', 'SERVICE', 'USER'] as const;
export type RecipientKind = (typeof RECIPIENT_KINDS)[number];

export const EVIDENCE_KINDS = ['SIGNED', 'SCANNED', 'VERBAL', 'EXTERNAL'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

/** FHIR Consent.status values we keep; a revoked consent is inactive. */
export const CONSENT_STATUSES = ['active', 'inactive', 'entered-in-error'] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];

/** The legal basis a grant records (AccessGrant.legalBasis); VITAL_INTEREST: an emergency transfer notice's images (issue 17). */
export const LEGAL_BASES = ['CONSENT', 'EMERGENCY_OVERRIDE', 'VITAL_INTEREST', 'NOT_REQUIRED'] as const;
export type LegalBasis = (typeof LEGAL_BASES)[number];

/** What each workflow's grant is for, in the patient's words. */
export const CONSENT_PURPOSE_OF_GRANT: Record<GrantPurpose, ConsentPurpose> = {
  REFERRAL: 'SECOND_OPINION',
  TELECONSULTATION: 'TELECONSULTATION',
  REPORT_COSIGN: 'SECOND_OPINION',
  EMERGENCY: 'EMERGENCY_CARE',
  FEDERATION: 'TRANSFER',
};

/** A JSON list column (purposes, studyUids) read back; [] for anything malformed. */
export function parseList(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  } catch {
    return [];
  }
}

/** A scanned consent form (PDF or JPEG) */
export const MAX_CONSENT_SCAN_BYTES = 20 * 1024 * 1024;
