// Ends a co-signature request without a signature: the author withdraws it,
// or the colleague asked hands it back. Either way the version is the
// author's alone again (a draft disappears from the colleague's view).
import { parseInput } from '../admin/errors';
import { DomainError } from '../errors';
import type { Principal } from '../policy/principal';
import { loadReport, requireRevision, signableVersionOf, staleRevision } from './load-report';
import { recordReportAudit } from './report-audit';
import { publishReportChanged, type ReportEventContext } from './report-events';
import { ZBaseRevision, type ReportContext } from './report-types';
import { reportView, type ReportView } from './report-view';
import { notBeingSigned } from './signed-artifacts';

export async function withdrawCosignature(context: Pick<ReportContext, 'db'> & ReportEventContext, principal: Principal, reportId: string, input: unknown): Promise<ReportView | null> {
  const { db } = context;
  const { baseRevision } = parseInput(ZBaseRevision, input);
  const report = await loadReport(db, principal, reportId, 'write');
  const working = signableVersionOf(report, principal);
  requireRevision(report, baseRevision);
  const request = report.signerRequest;
  if (!request) throw new DomainError('CONFLICT', 'no co-signature is requested', { userMessage: 'No signature is requested for this report.' });

  await db.$transaction(async (tx) => {
    const cleared = await tx.report.updateMany({
      where: { id: report.id, revision: baseRevision, signerRequestedUserId: request.userId, ...notBeingSigned() },
      data: { revision: { increment: 1 }, signerRequestedUserId: null, signerRequestedAt: null },
    });
    if (cleared.count !== 1) throw staleRevision(report.revision);
    await recordReportAudit(tx, principal, report, 'report.cosign.withdraw', { version: working.version, signerUserId: request.userId });
  });
  const { facilityId, studyInstanceUid } = report.study;
  await publishReportChanged(context, { studyInstanceUid, facilityId, reportId: report.id, status: report.status, version: working.version, referralId: report.referralId }, { users: [working.authorId, request.userId] });
  // The colleague who handed a draft back no longer sees it
  const reloaded = await loadReport(db, principal, reportId, 'write').catch((error: unknown) => {
    if (error instanceof DomainError && error.code === 'NOT_FOUND') return null;
    throw error;
  });
  return reloaded && reportView(db, reloaded, principal.userId);
}
