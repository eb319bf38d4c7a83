'use client';
// The reports colleagues sent the user to sign (co-signature), on the
// worklist; nothing when there are none. Decided by lib/reports; the server
// renders the first list, and a report:changed event (a request made or
// withdrawn reaches the colleague's sockets, ReportEventsBridge on the same
// page) fetches it again from GET /api/reports/awaiting-signature.
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { displayName } from '../../../lib/display/dicom-display';
import type { AwaitingSignature } from '../../../lib/reports/list-awaiting-signature';
import { reportStatusLabel } from './report-badge';
import { REPORT_CHANGED_WINDOW_EVENT } from './report-events-bridge';
import { reportPagePath } from './report-path';

export function AwaitingSignatureList({ reports: initial, className = '' }: { reports: AwaitingSignature[]; className?: string }) {
  const [reports, setReports] = useState(initial);
  useEffect(() => setReports(initial), [initial]);
  useEffect(() => {
    let asked = 0;
    const onChange = async () => {
      const mine = ++asked;
      const response = await fetch('/api/reports/awaiting-signature', { cache: 'no-store' }).catch(() => null);
      if (!response?.ok) return;
      const answer = (await response.json()) as { reports: AwaitingSignature[] };
      // An older answer arriving after a newer one is dropped
      if (mine === asked) setReports(answer.reports);
    };
    window.addEventListener(REPORT_CHANGED_WINDOW_EVENT, onChange);
    return () => window.removeEventListener(REPORT_CHANGED_WINDOW_EVENT, onChange);
  }, []);
  if (reports.length === 0) return null;
  return (
    <section className={`card ${className}`} aria-labelledby="awaiting-signature-title" data-testid="awaiting-signature">
      <h2 id="awaiting-signature-title">Waiting for your signature ({reports.length})</h2>
      <ul>
        {reports.map((report) => (
          <li key={report.reportId}>
            <Link href={reportPagePath(report.studyInstanceUid, report.referralId)}>
              {displayName(report.patientName) || 'Unnamed patient'} · MRN {report.patientId || '—'} · {report.studyDescription || 'Study without description'}
            </Link>{' '}
            — {reportStatusLabel(report.status)}, sent by {report.author.name} on {report.requestedAt.slice(0, 10)}
          </li>
        ))}
      </ul>
    </section>
  );
}
