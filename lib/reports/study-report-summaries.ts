// What the study page and the patient's history show of each study's report:
// its status badge as the viewer may see it (a DRAFT only to its author;
// nothing where they may not read reports: lib/policy/report-access.ts), the
// number of versions they see, and whether a signed PDF can be downloaded
// (GET /api/reports/{id}/pdf). The studies given are already in the
// viewer's read scope (the page found them through it).
import type { Database } from '../../prisma/database';
import { readsReportsOf, reportReaderScope } from '../policy/report-access';
import type { ReportBadgeStatus } from '../search/worklist-reports';
import { pdfSopInstanceUidOf } from './report-pdf';

export interface StudyReportSummary {
  reportId: string;
  status: ReportBadgeStatus;
  /** Versions the viewer sees (a draft only its author) */
  versions: number;
  /** The newest signed version with a stored PDF, or null */
  pdfVersion: number | null;
}

export type StudyCopyKey = { facilityId: string; studyInstanceUid: string };

export function studyCopyKey(study: StudyCopyKey): string {
  return `${study.facilityId}\u0000${study.studyInstanceUid}`;
}

/** Keyed by studyCopyKey; a study without a report the viewer sees is absent */
export async function studyReportSummaries(db: Database, userId: string, studies: readonly StudyCopyKey[]): Promise<Map<string, StudyReportSummary>> {
  const summaries = new Map<string, StudyReportSummary>();
  const scope = await reportReaderScope(db, userId);
  const readable = studies.filter((study) => readsReportsOf(scope, study.facilityId));
  if (readable.length === 0) return summaries;
  const reports = await db.report.findMany({
    // The study's own report; a second-opinion case's report shows on its case
    where: { studyRef: { not: null }, reportKey: '', OR: readable.map(({ facilityId, studyInstanceUid }) => ({ facilityId, studyInstanceUid })) },
    select: { id: true, facilityId: true, studyInstanceUid: true, status: true, versions: { orderBy: { version: 'asc' }, select: { version: true, status: true, authorId: true, signedAt: true, artifacts: true } } },
  });
  for (const report of reports) {
    const seen = report.versions.filter((version) => version.status !== 'DRAFT' || version.authorId === userId);
    if (seen.length === 0) continue;
    const withPdf = seen.filter((version) => version.signedAt && pdfSopInstanceUidOf(version.artifacts)).pop();
    summaries.set(studyCopyKey(report), { reportId: report.id, status: report.status as ReportBadgeStatus, versions: seen.length, pdfVersion: withPdf?.version ?? null });
  }
  return summaries;
}
