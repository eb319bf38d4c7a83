// The reports colleagues sent the user to sign (co-signature), on the
// worklist; nothing when there are none. Decided by lib/reports.
import Link from 'next/link';
import { displayName } from '../../../lib/display/dicom-display';
import type { AwaitingSignature } from '../../../lib/reports/list-awaiting-signature';
import { reportStatusLabel } from './report-badge';

export function AwaitingSignatureList({ reports }: { reports: AwaitingSignature[] }) {
  if (reports.length === 0) return null;
  return (
    <section className="card" aria-labelledby="awaiting-signature-title" data-testid="awaiting-signature">
      <h2 id="awaiting-signature-title">Waiting for your signature ({reports.length})</h2>
      <ul>
        {reports.map((report) => (
          <li key={report.reportId}>
            <Link href={`/studies/${report.studyInstanceUid}/report`}>
              {displayName(report.patientName) || 'Unnamed patient'} · MRN {report.patientId || '—'} · {report.studyDescription || 'Study without description'}
            </Link>{' '}
            — {reportStatusLabel(report.status)}, sent by {report.author.name} on {report.requestedAt.slice(0, 10)}
          </li>
        ))}
      </ul>
    </section>
  );
}
