// Co-signature (issue 14: "a report drafted by one expert can be sent to
// another for signing"). The author of the working version (a draft or a
// preliminary) asks a colleague who may write this study's reports
// (lib/policy/report-access.ts) to sign it. From then on the colleague reads
// that version and may sign it, by their own password, through sign-report.ts
// (then they are its signer and the SR's verifying observer; the author stays
// its author). The author keeps editing until then; a save moves the revision,
// so the colleague can only sign the text they last loaded. One request at a
// time: asking another colleague replaces it. Ends with the signature or
// withdraw-cosignature.ts. No grant is created: a colleague who cannot write
// here already (an expert of another facility without a teleconsultation or
// referral grant) cannot be asked.
import { parseInput } from '../admin/errors';
import { DomainError } from '../errors';
import { reportAccessFor } from '../policy/report-access';
import type { Principal } from '../policy/principal';
import { isEmptyReport } from './apply-sections';
import { loadReport, requireRevision, staleRevision, workingVersionOf } from './load-report';
import { emptyReport } from './make-preliminary';
import { recordReportAudit } from './report-audit';
import { publishReportChanged, type ReportEventContext } from './report-events';
import { ZRequestCosignatureRequest, type ReportContext } from './report-types';
import { reportView, type ReportView } from './report-view';
import { notBeingSigned } from './signed-artifacts';

export async function requestCosignature(context: Pick<ReportContext, 'db'> & ReportEventContext, principal: Principal, reportId: string, input: unknown): Promise<ReportView> {
  const { db } = context;
  const { baseRevision, signerUserId } = parseInput(ZRequestCosignatureRequest, input);
  const report = await loadReport(db, principal, reportId, 'write');
  const working = workingVersionOf(report, principal);
  requireRevision(report, baseRevision);
  if (isEmptyReport(working.sections, working.kind)) throw emptyReport();
  // The same answer for an unknown user and one who may not write here: the author learns nothing more
  if (signerUserId === principal.userId || !(await reportAccessFor(db, signerUserId, report.study)).write) {
    const message = 'This colleague cannot sign reports on this study.';
    throw new DomainError('INVALID_INPUT', 'co-signer may not write this report', { userMessage: message, fields: { signerUserId: message } });
  }

  await db.$transaction(async (tx) => {
    const claimed = await tx.report.updateMany({
      where: { id: report.id, revision: baseRevision, ...notBeingSigned() },
      data: { revision: { increment: 1 }, signerRequestedUserId: signerUserId, signerRequestedAt: new Date() },
    });
    if (claimed.count !== 1) throw staleRevision(report.revision);
    await recordReportAudit(tx, principal, report, 'report.cosign.request', { version: working.version, signerUserId });
  });
  const { facilityId, studyInstanceUid } = report.study;
  await publishReportChanged(context, { studyInstanceUid, facilityId, reportId: report.id, status: report.status, version: working.version, referralId: report.referralId }, { users: [principal.userId, signerUserId] });
  return reportView(db, await loadReport(db, principal, reportId, 'write'), principal.userId);
}
