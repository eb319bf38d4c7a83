// What a caller is shown of a report: one version in full (the newest they
// may see, or the one asked for) and the list of versions. An older version
// says it is superseded and which version replaced it, so a reader of an old
// copy is told.
import type { Database } from '../../prisma/database';
import { DomainError } from '../errors';
import type { LoadedReport, LoadedVersion } from './load-report';
import type { KeyImage, ReportSection, ReportStatus, VersionKind } from './report-types';

export interface ReportVersionSummary {
  version: number;
  kind: VersionKind;
  status: ReportStatus;
  savedAt: string;
  signedAt: string | null;
  signedBy: { id: string; name: string } | null;
  contentSha256: string | null;
  reason: string | null;
  superseded: boolean;
}

export interface ReportView {
  id: string;
  studyInstanceUid: string;
  /** The second-opinion case this report answers (its page is /studies/{uid}/report?referral=…), or null */
  referralId: string | null;
  /** What readers see: the status of the newest version that is not a draft */
  status: ReportStatus;
  /** Send it back as baseRevision when saving, releasing, signing, amending */
  revision: number;
  templateId: string | null;
  /** The version shown */
  version: ReportVersionSummary & {
    sections: ReportSection[];
    comparisonStudyUid: string | null;
    keyImages: KeyImage[];
    /** A later version was signed: this one is kept for the record only */
    supersededByVersion: number | null;
    /** The caller may change this version (their own, not signed) */
    editable: boolean;
  };
  versions: ReportVersionSummary[];
  /** The caller may write (save its own draft, sign, amend, add an addendum) */
  mayWrite: boolean;
  /** The caller may sign the version being worked on: its author, or the colleague asked to co-sign it */
  maySign: boolean;
  /** Co-signature: the colleague asked to sign the working version (shown to its author and to that colleague) */
  signatureRequest: { signer: { id: string; name: string }; requestedAt: string } | null;
}

export async function reportView(db: Database, report: LoadedReport, userId: string, versionNumber?: number): Promise<ReportView> {
  const shown = versionNumber === undefined ? report.versions[report.versions.length - 1] : report.versions.find((version) => version.version === versionNumber);
  if (!shown) throw new DomainError('NOT_FOUND', 'report version not found', { userMessage: 'Not found.' });
  const signerIds = [...new Set(report.versions.map((version) => version.signedById).filter((id): id is string => id !== null))];
  const signers = new Map((await db.user.findMany({ where: { id: { in: signerIds } }, select: { id: true, name: true } })).map((user) => [user.id, user]));
  const summary = (version: LoadedVersion): ReportVersionSummary => ({
    version: version.version,
    kind: version.kind,
    status: version.status,
    savedAt: version.savedAt.toISOString(),
    signedAt: version.signedAt?.toISOString() ?? null,
    signedBy: version.signedById ? (signers.get(version.signedById) ?? { id: version.signedById, name: '' }) : null,
    contentSha256: version.contentSha256,
    reason: version.reason,
    superseded: version.supersededAt !== null,
  });
  const request = report.signerRequest;
  const working = report.working;
  const involved = working !== null && (working.authorId === userId || request?.userId === userId);
  const requestedSigner = request && involved ? await db.user.findUnique({ where: { id: request.userId }, select: { id: true, name: true, email: true } }) : null;
  const supersededBy = shown.supersededAt ? report.versions.find((version) => version.version > shown.version && version.signedAt !== null) : undefined;
  return {
    id: report.id,
    referralId: report.referralId,
    studyInstanceUid: report.study.studyInstanceUid,
    status: report.status,
    revision: report.revision,
    templateId: report.templateId,
    version: {
      ...summary(shown),
      sections: shown.sections,
      comparisonStudyUid: shown.comparisonStudyUid,
      keyImages: shown.keyImages,
      supersededByVersion: supersededBy?.version ?? null,
      editable: report.access.write && report.working?.version === shown.version && shown.authorId === userId,
    },
    versions: report.versions.map(summary),
    mayWrite: report.access.write,
    maySign: report.access.write && working !== null && (working.authorId === userId || request?.userId === userId),
    signatureRequest:
      request && involved ? { signer: { id: request.userId, name: requestedSigner?.name || requestedSigner?.email || '' }, requestedAt: request.requestedAt.toISOString() } : null,
  };
}
