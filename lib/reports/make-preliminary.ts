// The author releases their draft as PRELIMINARY: referrers read it from now
// on, marked PRELIMINARY everywhere, until it is signed. Only an original
// report has a preliminary stage: an amendment or addendum replaces a signed
// text and is released by signing it. An empty report is refused here too.
import { parseInput } from '../admin/errors';
import { DomainError } from '../errors';
import type { Principal } from '../policy/principal';
import { isEmptyReport } from './apply-sections';
import { loadReport, requireRevision, staleRevision, workingVersionOf } from './load-report';
import { recordReportAudit } from './report-audit';
import { publishReportChanged, type ReportEventContext } from './report-events';
import { ZBaseRevision, type ReportContext } from './report-types';
import { reportView, type ReportView } from './report-view';
import { notBeingSigned } from './signed-artifacts';

export async function makePreliminary(context: Pick<ReportContext, 'db'> & ReportEventContext, principal: Principal, reportId: string, input: unknown): Promise<ReportView> {
  const { db } = context;
  const { baseRevision } = parseInput(ZBaseRevision, input);
  const report = await loadReport(db, principal, reportId, 'write');
  const working = workingVersionOf(report, principal);
  requireRevision(report, baseRevision);
  if (working.kind !== 'ORIGINAL' || working.status !== 'DRAFT') {
    throw new DomainError('CONFLICT', 'only a draft of the original report becomes preliminary', { userMessage: 'Only a draft report can be released as preliminary.' });
  }
  if (isEmptyReport(working.sections, working.kind)) throw emptyReport();

  await db.$transaction(async (tx) => {
    const claimed = await tx.report.updateMany({
      where: { id: report.id, revision: baseRevision, ...notBeingSigned() },
      data: { revision: { increment: 1 }, signingToken: null, signingSince: null, status: 'PRELIMINARY', publishedVersion: working.version },
    });
    if (claimed.count !== 1) throw staleRevision(report.revision);
    await tx.reportVersion.update({ where: { id: working.id }, data: { status: 'PRELIMINARY' } });
    await recordReportAudit(tx, principal, report, 'report.preliminary', { version: working.version });
  });
  const { facilityId, studyInstanceUid } = report.study;
  await publishReportChanged(context, { studyInstanceUid, facilityId, reportId: report.id, status: 'PRELIMINARY', version: working.version, referralId: report.referralId });
  return reportView(db, await loadReport(db, principal, reportId, 'write'), principal.userId);
}

export function emptyReport(): DomainError {
  return new DomainError('INVALID_INPUT', 'the report is empty', {
    userMessage: 'The report is empty: write the impression (or, for an addendum, its text) first.',
    fields: { sections: 'Write the impression first' },
  });
}
