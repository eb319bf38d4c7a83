import Link from 'next/link';
import type { WorklistRequest, WorklistResult, WorklistSort } from '../../../lib/search/worklist';
import { ageOn, displayDate, displayName, displaySex, displayTime } from '../../../lib/display/dicom-display';
import { ReportBadge } from '../reports/report-badge';
import { RowKeyboard } from './row-keyboard';
import styles from './worklist.module.css';

interface Props {
  result: WorklistResult;
  request: WorklistRequest;
  /** The current query string, to keep the filters in sort and page links */
  params: URLSearchParams;
  /** The facilities whose studies the user may send for a second opinion (members share; lib/search/view-study.ts isMemberOf) */
  shareFrom?: readonly string[];
}

function withParams(params: URLSearchParams, changes: Record<string, string>): string {
  const next = new URLSearchParams(params);
  for (const [key, value] of Object.entries(changes)) next.set(key, value);
  // A header's sort replaces the form's Order choice
  if ('sort' in changes) next.delete('order');
  return `/?${next.toString()}`;
}

export function WorklistTable({ result, request, params, shareFrom = [] }: Props) {
  const sortHeader = (sort: WorklistSort, label: string) => {
    const active = request.sort === sort;
    const nextDirection = active && request.direction === 'asc' ? 'desc' : active ? 'asc' : sort === 'date' ? 'desc' : 'asc';
    return (
      <th scope="col" aria-sort={active ? (request.direction === 'asc' ? 'ascending' : 'descending') : 'none'}>
        <Link href={withParams(params, { sort, dir: nextDirection, page: '1' })} className={styles.sort}>
          {label}
          <span aria-hidden="true">{active ? (request.direction === 'asc' ? ' ▲' : ' ▼') : ''}</span>
        </Link>
      </th>
    );
  };
  return (
    <>
      <div className={styles.tableWrap}>
        <table className={styles.table} id="worklist">
          <caption className="visually-hidden">Studies, {result.total} found; use the arrow keys to move between rows and Enter to open one</caption>
          <thead>
            <tr>
              {sortHeader('name', 'Patient')}
              {sortHeader('patientId', 'MRN')}
              <th scope="col">Sex / age</th>
              {sortHeader('date', 'Study date')}
              {sortHeader('modality', 'Modality')}
              <th scope="col">Description</th>
              {sortHeader('accession', 'Accession')}
              <th scope="col">Series / images</th>
              <th scope="col">Facility</th>
              <th scope="col">Report</th>
            </tr>
          </thead>
          <tbody>
            {result.rows.map((row) => {
              const href = `/studies/${row.studyInstanceUid}`;
              return (
                <tr key={row.studyInstanceUid} data-href={href} tabIndex={-1} className={styles.row}>
                  <td>
                    <Link href={`/patients/${row.patient.id}`} className={styles.patient}>
                      {displayName(row.patient.name)}
                    </Link>
                  </td>
                  <td className={styles.mono}>
                    {row.patient.patientId}
                    {row.patient.issuer && <small className={styles.issuer}> {row.patient.issuer}</small>}
                  </td>
                  <td>
                    {displaySex(row.patient.sex).charAt(0)} {ageOn(row.patient.birthDate, row.studyDate)}
                  </td>
                  <td>
                    <Link href={href}>{displayDate(row.studyDate) || 'no date'}</Link> <small>{displayTime(row.studyTime)}</small>
                  </td>
                  <td>{row.modalities.join(', ')}</td>
                  <td>{row.description}</td>
                  <td className={styles.mono}>{row.accessionNumber}</td>
                  <td>
                    {row.numberOfSeries} / {row.numberOfInstances}
                  </td>
                  <td>{row.facility.code}</td>
                  <td>
                    <ReportBadge studyInstanceUid={row.studyInstanceUid} facilityId={row.facility.id} status={row.report?.status ?? null} />
                    {shareFrom.includes(row.facility.id) && (
                      <Link
                        href={`/referrals/new?study=${encodeURIComponent(row.studyInstanceUid)}`}
                        className={styles.rowAction}
                        // Not the patient's name nor the date: the row's own links are found by those
                        aria-label="Ask for a second opinion on this study"
                        title="Ask for a second opinion"
                      >
                        2nd opinion
                      </Link>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <RowKeyboard tableId="worklist" />
      <nav className={styles.pager} aria-label="Pages">
        {result.page > 1 ? (
          <Link className="button secondary small" href={withParams(params, { page: String(result.page - 1) })} rel="prev">
            ← Previous
          </Link>
        ) : (
          <span />
        )}
        <span>
          Page {result.page} of {Math.max(result.pageCount, 1)}
        </span>
        {result.page < result.pageCount ? (
          <Link className="button secondary small" href={withParams(params, { page: String(result.page + 1) })} rel="next">
            Next →
          </Link>
        ) : (
          <span />
        )}
      </nav>
    </>
  );
}
