// Amendments and addenda both open a new version of a signed report, with a
// reason (required: "why was a signed report changed" is what a reader, an
// auditor and a court ask). The new version starts as the author's draft from
// the newest signed content; readers keep reading the signed version until the
// new one is signed (sign-report.ts), which then marks it superseded.
// One open version at a time: a second amendment while one is being written
// is CONFLICT.
import { parseInput } from '../admin/errors';
import { DomainError } from '../errors';
import type { Principal } from '../policy/principal';
import { applySections } from './apply-sections';
import { loadReport, requireRevision, staleRevision } from './load-report';
import { recordReportAudit } from './report-audit';
import { ADDENDUM_SECTION, SIGNED_STATUSES, ZNewVersionRequest, type ReportContext, type ReportSection } from './report-types';
import { reportView, type ReportView } from './report-view';
import { notBeingSigned } from './signed-artifacts';

export async function openNewVersion(
  context: Pick<ReportContext, 'db'>,
  principal: Principal,
  reportId: string,
  input: unknown,
  kind: 'AMENDMENT' | 'ADDENDUM',
): Promise<ReportView> {
  const { db } = context;
  const reason = (input as { reason?: unknown } | null)?.reason;
  if (typeof reason !== 'string' || reason.trim() === '') {
    throw new DomainError('REASON_REQUIRED', 'an amendment or addendum needs a reason', { userMessage: 'Say why the signed report is being changed.', fields: { reason: 'Give a reason' } });
  }
  const request = parseInput(ZNewVersionRequest, input);
  const report = await loadReport(db, principal, reportId, 'write');
  const signed = report.versions.filter((version) => SIGNED_STATUSES.includes(version.status)).pop();
  if (!signed) throw new DomainError('CONFLICT', 'only a signed report is amended', { userMessage: 'This report is not signed yet: edit it instead.' });
  if (report.currentVersion !== signed.version) {
    throw new DomainError('CONFLICT', 'a new version is already open', { userMessage: 'An amendment or addendum of this report is already being written. Sign or finish it first.' });
  }
  requireRevision(report, request.baseRevision);

  const start: ReportSection[] = kind === 'ADDENDUM' ? [...signed.sections, { key: ADDENDUM_SECTION.key, title: ADDENDUM_SECTION.title, text: '', pick: null }] : signed.sections;
  const sections = applySections(start, request.sections, kind);
  const version = signed.version + 1;
  await db.$transaction(async (tx) => {
    const claimed = await tx.report.updateMany({
      where: { id: report.id, revision: request.baseRevision, currentVersion: signed.version, ...notBeingSigned() },
      data: { revision: { increment: 1 }, signingToken: null, signingSince: null, currentVersion: version },
    });
    if (claimed.count !== 1) throw staleRevision(report.revision);
    await tx.reportVersion.create({
      data: {
        reportId: report.id,
        version,
        kind,
        status: 'DRAFT',
        authorId: principal.userId,
        sections: JSON.stringify(sections),
        comparisonStudyUid: signed.comparisonStudyUid,
        keyImages: JSON.stringify(signed.keyImages),
        reason: request.reason,
      },
    });
    await recordReportAudit(tx, principal, report, kind === 'ADDENDUM' ? 'report.addendum' : 'report.amend', { version, reason: request.reason });
  });
  return reportView(db, await loadReport(db, principal, reportId, 'write'), principal.userId);
}
