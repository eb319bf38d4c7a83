// The report's versions (each viewable with ?version=n) and its status badge.
import type { ReportStatus } from '../../../../lib/reports/report-types';
import type { ReportView } from '../../../../lib/reports/report-view';
import { TableHead } from '../../../_components/table-head';
import styles from './report.module.css';
import { reportPagePath } from '../../../_components/reports/report-path';

/** A time as every reader sees it, wherever they are: UTC, to the minute */
export function utcTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

export function StatusBadge({ status }: { status: ReportStatus }) {
  return (
    <span className={`${styles.badge} ${styles[`badge${status}`] ?? ''}`} data-testid="report-status">
      {status}
    </span>
  );
}

export function ReportVersions({ report, studyInstanceUid }: { report: ReportView; studyInstanceUid: string }) {
  if (report.versions.length < 2) return null;
  return (
    <section className={styles.versions} aria-labelledby="versions-heading">
      <h2 id="versions-heading">Versions</h2>
      <table>
        <TableHead columns={['Version', 'Status', 'Signed']} />
        <tbody>
          {[...report.versions].reverse().map((version) => (
            <tr key={version.version} aria-current={version.version === report.version.version ? 'true' : undefined} data-testid={`version-${version.version}`}>
              <td>
                <a href={reportPagePath(studyInstanceUid, report.referralId, version.version)}>Version {version.version}</a>
                {version.kind !== 'ORIGINAL' && <small> {version.kind === 'AMENDMENT' ? 'amendment' : 'addendum'}</small>}
              </td>
              <td>
                {version.status}
                {version.superseded && <small> · superseded</small>}
              </td>
              <td>{version.signedAt ? `${version.signedBy?.name || 'unknown'}, ${utcTime(version.signedAt)}` : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
