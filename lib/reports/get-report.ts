// A reader opens a report (the newest version they may see, or ?version=n,
// an older one marked superseded). Reading a report is reading patient data:
// audited as report.view (DICOM 110103).
import type { Principal } from '../policy/principal';
import { loadReport } from './load-report';
import { recordReportAudit } from './report-audit';
import type { ReportContext } from './report-types';
import { reportView, type ReportView } from './report-view';

export async function getReport(context: Pick<ReportContext, 'db'>, principal: Principal, reportId: string, options: { version?: number } = {}): Promise<ReportView> {
  const report = await loadReport(context.db, principal, reportId, 'read');
  const view = await reportView(context.db, report, principal.userId, options.version);
  await recordReportAudit(context.db, principal, report, 'report.view', { version: view.version.version, reportStatus: view.version.status });
  return view;
}
