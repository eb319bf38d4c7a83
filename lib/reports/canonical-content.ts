// What a signature covers, as bytes: the signed version's content in one
// canonical JSON form (keys in a fixed order, no whitespace, NFC-normalised
// text so that the same Cyrillic or accented words always give the same
// bytes), and its SHA-256. The hash is recorded on the version; the PDF and
// DICOM objects are made from the same SignedContent, so anyone can recompute
// it from what was signed.
import { createHash } from 'node:crypto';
import type { KeyImage, ReportSection, ReportStatus, VersionKind } from './report-types';

export interface SignedContent {
  reportId: string;
  version: number;
  kind: VersionKind;
  status: ReportStatus;
  facilityId: string;
  studyInstanceUid: string;
  patientId: string;
  sections: ReportSection[];
  comparisonStudyUid: string | null;
  keyImages: KeyImage[];
  reason: string | null;
  signer: { id: string; name: string; email: string };
  signedAt: string;
  /** The signed version this one supersedes (an amendment or addendum) */
  predecessor: { version: number; contentSha256: string } | null;
}

export function canonicalContent(content: SignedContent): string {
  return JSON.stringify(sortKeys(content));
}

export function contentSha256(content: SignedContent): string {
  return createHash('sha256').update(canonicalContent(content), 'utf8').digest('hex');
}

function sortKeys(value: unknown): unknown {
  if (typeof value === 'string') return value.normalize('NFC');
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}
