'use client';
// A study's report status, updated in place when a report:changed event for
// this study copy arrives (ReportEventsBridge on the same page); co-signature
// news (status DRAFT) leaves it as it is.
import { useEffect, useState } from 'react';
import type { ReportChangedPayload } from '../../../lib/realtime/events';
import { REPORT_CHANGED_WINDOW_EVENT } from './report-events-bridge';

const LABELS: Record<string, string> = { DRAFT: 'Draft', PRELIMINARY: 'Preliminary', FINAL: 'Final', AMENDED: 'Amended', ADDENDUM: 'Addendum' };

export function reportStatusLabel(status: string): string {
  return LABELS[status] ?? status;
}

interface Props {
  studyInstanceUid: string;
  facilityId: string;
  /** null: no report the viewer sees */
  status: string | null;
  /** Shown when there is none (the worklist shows nothing, the study page "No report") */
  none?: string;
}

export function ReportBadge({ studyInstanceUid, facilityId, status: initial, none = '' }: Props) {
  const [status, setStatus] = useState(initial);
  useEffect(() => setStatus(initial), [initial]);
  useEffect(() => {
    const onChange = (event: Event) => {
      const payload = (event as CustomEvent<ReportChangedPayload>).detail;
      // DRAFT: co-signature news for the author and the colleague asked; what readers see did not change
      if (payload.status === 'DRAFT') return;
      // A second-opinion case's report is shown on its case, not as the study's own
      if (payload.referralId) return;
      if (payload.studyInstanceUid === studyInstanceUid && payload.facilityId === facilityId) setStatus(payload.status);
    };
    window.addEventListener(REPORT_CHANGED_WINDOW_EVENT, onChange);
    return () => window.removeEventListener(REPORT_CHANGED_WINDOW_EVENT, onChange);
  }, [studyInstanceUid, facilityId]);
  if (!status) return none ? <span className="report-none" data-report-status="NONE">{none}</span> : null;
  return (
    <span className={`badge report-${status.toLowerCase()}`} data-report-status={status} aria-live="polite">
      {reportStatusLabel(status)}
    </span>
  );
}
