'use client';
// The report page follows a signature made elsewhere: when this report is
// signed, amended or released (report:changed, ReportEventsBridge on the page)
// the page is rendered again from the server, so that an author waiting for
// a colleague's co-signature sees FINAL without reloading, and a reader the
// new version. Co-signature news (status DRAFT) does not re-render: the
// author may be typing in the draft.
import { useRouter } from 'next/navigation';
import { useEffect } from 'react';
import type { ReportChangedPayload } from '../../../../lib/realtime/events';
import { REPORT_CHANGED_WINDOW_EVENT } from '../../../_components/reports/report-events-bridge';

export function FollowReportChanges({ reportId }: { reportId: string }) {
  const router = useRouter();
  useEffect(() => {
    const onChange = (event: Event) => {
      const payload = (event as CustomEvent<ReportChangedPayload>).detail;
      if (payload.reportId === reportId && payload.status !== 'DRAFT') router.refresh();
    };
    window.addEventListener(REPORT_CHANGED_WINDOW_EVENT, onChange);
    return () => window.removeEventListener(REPORT_CHANGED_WINDOW_EVENT, onChange);
  }, [reportId, router]);
  return null;
}
