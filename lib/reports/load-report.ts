// The one way every report operation finds a report for a caller (documenso's
// get-envelope-by-id): the report, its study copy, and what the caller may do
// (lib/policy/report-access.ts). A missing report, a deleted study, a study
// the caller cannot read and a report that holds only someone else's draft all
// fail the same way: NOT_FOUND.
import { DomainError } from '../errors';
import { authorizeReportAccess, type ReportAccess } from '../policy/report-access';
import type { Principal } from '../policy/principal';
import type { Database } from '../../prisma/database';
import { REPORT_STATUSES, type KeyImage, type ReportSection, type ReportStatus, type VersionKind } from './report-types';

export interface LoadedVersion {
  id: string;
  version: number;
  kind: VersionKind;
  status: ReportStatus;
  authorId: string;
  sections: ReportSection[];
  comparisonStudyUid: string | null;
  keyImages: KeyImage[];
  reason: string | null;
  savedAt: Date;
  signedById: string | null;
  signedAt: Date | null;
  contentSha256: string | null;
  supersededAt: Date | null;
}

export interface LoadedReport {
  id: string;
  study: { id: string; facilityId: string; studyInstanceUid: string; patientId: string };
  templateId: string | null;
  /** The second-opinion case this report answers (lib/referrals), or null for the copy's own report */
  referralId: string | null;
  authorId: string;
  status: ReportStatus;
  currentVersion: number;
  publishedVersion: number | null;
  revision: number;
  signingToken: string | null;
  signingSince: Date | null;
  /** Co-signature: the working version waits for this user's signature (request-cosignature.ts) */
  signerRequest: { userId: string; requestedAt: Date } | null;
  /** Oldest first; only the ones the caller may see (a draft only by its author, and the co-signer asked to sign it) */
  versions: LoadedVersion[];
  /** The version being worked on, when the caller may see it (its author's draft, or a preliminary) */
  working: LoadedVersion | null;
  access: ReportAccess;
}

export const REPORT_NOT_FOUND = 'report not found';

export async function loadReport(db: Database, principal: Principal, reportId: string, need: keyof ReportAccess): Promise<LoadedReport> {
  const row = await db.report.findUnique({
    where: { id: reportId },
    include: { versions: { orderBy: { version: 'asc' } }, study: { select: { id: true, facilityId: true, studyInstanceUid: true, patient: { select: { patientId: true } } } } },
  });
  if (!row?.study) throw new DomainError('NOT_FOUND', REPORT_NOT_FOUND, { userMessage: 'Not found.' });
  const access = await authorizeReportAccess(db, principal.userId, row.study, need);
  const signerRequest = row.signerRequestedUserId && row.signerRequestedAt ? { userId: row.signerRequestedUserId, requestedAt: row.signerRequestedAt } : null;
  // The co-signer asked to sign the working draft reads it (only that one: older drafts are gone, newer ones the author's)
  const asked = (version: LoadedVersion) => signerRequest?.userId === principal.userId && version.version === row.currentVersion;
  const versions = row.versions.map(parseVersion).filter((version) => version.status !== 'DRAFT' || version.authorId === principal.userId || asked(version));
  if (versions.length === 0) throw new DomainError('NOT_FOUND', REPORT_NOT_FOUND, { userMessage: 'Not found.' });
  const newest = versions[versions.length - 1];
  return {
    id: row.id,
    study: { id: row.study.id, facilityId: row.study.facilityId, studyInstanceUid: row.study.studyInstanceUid, patientId: row.study.patient.patientId },
    templateId: row.templateId,
    referralId: row.referralId,
    authorId: row.authorId,
    status: asStatus(row.status),
    currentVersion: row.currentVersion,
    publishedVersion: row.publishedVersion,
    revision: row.revision,
    signingToken: row.signingToken,
    signingSince: row.signingSince,
    signerRequest,
    versions,
    working: newest.version === row.currentVersion && (newest.status === 'DRAFT' || newest.status === 'PRELIMINARY') ? newest : null,
    access,
  };
}

/** The version the caller edits or signs: theirs, not yet signed, else CONFLICT (or NOT_FOUND for someone else's) */
export function workingVersionOf(report: LoadedReport, principal: Principal): LoadedVersion {
  const working = report.working;
  if (!working) throw new DomainError('CONFLICT', 'the report is signed: amend it or add an addendum', { userMessage: 'This report is signed and can no longer be changed. Amend it or add an addendum.' });
  if (working.authorId !== principal.userId) {
    throw new DomainError('NOT_ALLOWED', 'only the author edits or signs a report version', { userMessage: 'Only the author of this version can change or sign it.' });
  }
  return working;
}

/**
 * The version the caller signs: the working version, by its author or by the
 * colleague its author asked to sign it (co-signature); CONFLICT once signed,
 * NOT_ALLOWED for anyone else.
 */
export function signableVersionOf(report: LoadedReport, principal: Principal): LoadedVersion {
  if (report.working && report.signerRequest?.userId === principal.userId) return report.working;
  return workingVersionOf(report, principal);
}

/** CONFLICT unless the caller's copy is the newest (two tabs, two people) */
export function requireRevision(report: LoadedReport, baseRevision: number): void {
  if (report.revision !== baseRevision) throw staleRevision(report.revision);
}

export function staleRevision(current: number): DomainError {
  return new DomainError('CONFLICT', `stale revision; the report is at revision ${current}`, {
    userMessage: 'This report was changed elsewhere (another tab or person). Reload it to see the newest text before saving again.',
    fields: { baseRevision: String(current) },
  });
}

function parseVersion(row: {
  id: string; version: number; kind: string; status: string; authorId: string; sections: string; comparisonStudyUid: string | null; keyImages: string;
  reason: string | null; savedAt: Date; signedById: string | null; signedAt: Date | null; contentSha256: string | null; supersededAt: Date | null;
}): LoadedVersion {
  return {
    id: row.id,
    version: row.version,
    kind: row.kind as VersionKind,
    status: asStatus(row.status),
    authorId: row.authorId,
    sections: JSON.parse(row.sections) as ReportSection[],
    comparisonStudyUid: row.comparisonStudyUid,
    keyImages: JSON.parse(row.keyImages) as KeyImage[],
    reason: row.reason,
    savedAt: row.savedAt,
    signedById: row.signedById,
    signedAt: row.signedAt,
    contentSha256: row.contentSha256,
    supersededAt: row.supersededAt,
  };
}

function asStatus(value: string): ReportStatus {
  return (REPORT_STATUSES as readonly string[]).includes(value) ? (value as ReportStatus) : 'DRAFT';
}
