// The report of one study as the study page and the patient's history show it:
// its status (live), the versions the viewer sees, the report page and the
// signed PDF. Data from lib/reports/study-report-summaries.ts.
import Link from 'next/link';
import type { StudyReportSummary } from '../../../lib/reports/study-report-summaries';
import { ReportBadge } from './report-badge';

interface Props {
  studyInstanceUid: string;
  facilityId: string;
  report: StudyReportSummary | null;
}

export function StudyReportLinks({ studyInstanceUid, facilityId, report }: Props) {
  return (
    <span className="study-report" data-study-report={studyInstanceUid}>
      Report: <ReportBadge studyInstanceUid={studyInstanceUid} facilityId={facilityId} status={report?.status ?? null} none="none" />
      {report && (
        <>
          {' '}
          <small>
            {report.versions} version{report.versions === 1 ? '' : 's'}
          </small>{' '}
          <Link href={`/studies/${studyInstanceUid}/report`}>Open the report</Link>
          {report.pdfVersion !== null && (
            <>
              {' · '}
              <a href={`/api/reports/${report.reportId}/pdf`} download>
                PDF
              </a>
            </>
          )}
        </>
      )}
    </span>
  );
}
