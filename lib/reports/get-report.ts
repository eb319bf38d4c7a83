// A reader opens a report (the newest version they may see, or ?version=n,
// an older one marked superseded). Reading a report is reading patient data:
// audited as report.view (DICOM 110103), through the journalled audit queue
// like every other read (lib/audit/audit-queue.ts: durable before the answer,
// written in a group commit).
import { auditQueueFor } from '../audit/audit-queue';
import type { Principal } from '../policy/principal';
import { loadReport } from './load-report';
import { reportAuditEvent } from './report-audit';
import type { ReportContext } from './report-types';
import { reportView, type ReportView } from './report-view';

export async function getReport(context: ReportContext, principal: Principal, reportId: string, options: { version?: number } = {}): Promise<ReportView> {
  const report = await loadReport(context.db, principal, reportId, 'read');
  const view = await reportView(context.db, report, principal.userId, options.version);
  auditQueueFor(context).enqueue(reportAuditEvent(principal, report, 'report.view', { version: view.version.version, reportStatus: view.version.status }));
  return view;
}
