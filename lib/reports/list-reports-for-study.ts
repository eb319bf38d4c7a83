// The reports of a study as its page lists them (status badge, versions):
// the report of the copy the caller sees, when they may read it and it holds
// a version they may see (someone else's draft is not listed). A reader with
// no report right on the study gets NOT_FOUND, as for the study itself.
import { DomainError } from '../errors';
import { authorizeReportAccess } from '../policy/report-access';
import { readScopeFor } from '../policy/read-scope';
import { authorizeStudyAccess } from '../policy/study-access';
import type { Principal } from '../policy/principal';
import { loadReport } from './load-report';
import type { ReportContext, ReportStatus } from './report-types';
import { reportView, type ReportVersionSummary } from './report-view';

export interface ReportListing {
  id: string;
  status: ReportStatus;
  revision: number;
  /** The newest version the caller may see */
  latestVersion: number;
  versions: ReportVersionSummary[];
  mayWrite: boolean;
  /** The second-opinion case this report answers (null: the copy's own report) */
  referralId: string | null;
}

export async function listReportsForStudy(context: Pick<ReportContext, 'db'>, principal: Principal, studyInstanceUid: string): Promise<{ reports: ReportListing[]; mayWrite: boolean }> {
  const { db } = context;
  const study = await authorizeStudyAccess(db, await readScopeFor(db, principal.userId), studyInstanceUid);
  const access = await authorizeReportAccess(db, principal.userId, study, 'read');
  // The copy's own report first (reportKey ""), then the reports of second-opinion cases on it
  const rows = await db.report.findMany({ where: { studyRef: study.id }, orderBy: [{ reportKey: 'asc' }, { createdAt: 'asc' }], select: { id: true, referralId: true } });
  const reports: ReportListing[] = [];
  for (const row of rows) {
    try {
      const view = await reportView(db, await loadReport(db, principal, row.id, 'read'), principal.userId);
      reports.push({ id: view.id, status: view.status, revision: view.revision, latestVersion: view.version.version, versions: view.versions, mayWrite: view.mayWrite, referralId: row.referralId });
    } catch (error) {
      if (!(error instanceof DomainError && error.code === 'NOT_FOUND')) throw error;
    }
  }
  return { reports, mayWrite: access.write };
}
