import Link from 'next/link';
import {
  AUDIT_EXPORT_LIMIT,
  AUDIT_PAGE_SIZE,
  aeTitleOf,
  auditQueryString,
  summarizeDetails,
  type AuditQuery,
} from '../../lib/audit/audit-query';
import { viewAuditEventPage } from '../../lib/audit/view-audit';
import type { AdministeredFacility } from '../../lib/policy';
import { getRuntime } from '../../lib/runtime';
import styles from './audit.module.css';

const OUTCOME_CLASS: Record<string, string> = { SUCCESS: styles.success, FAILURE: styles.failure, DENIED: styles.denied };

function utcText(at: Date): string {
  return at.toISOString().slice(0, 19).replace('T', ' ');
}

export async function AuditResults({
  query,
  facilities,
  viewer,
  sourceIp,
}: {
  query: AuditQuery;
  facilities: AdministeredFacility[];
  viewer: { id: string; email: string };
  sourceIp: string;
}) {
  const filterString = auditQueryString(query.values);
  const result = await viewAuditEventPage(getRuntime(), viewer, query, { sourceIp, resource: `/audit${filterString ? `?${filterString}` : ''}` });

  const codes = new Map(facilities.map((facility) => [facility.id, facility.code]));
  const showFacility = facilities.length > 1;
  const link = (changes: Record<string, string>) => `/audit?${auditQueryString({ ...query.values, ...changes })}`;
  const pageLink = (page: number) => `/audit?${auditQueryString(query.values, page > 1 ? { page: String(page) } : {})}`;
  const first = (result.page - 1) * AUDIT_PAGE_SIZE + 1;

  return (
    <section aria-labelledby="audit-results-heading" className={styles.results}>
      <div className={styles.resultsBar}>
        <h2 id="audit-results-heading" className={styles.resultsHeading}>
          Events
        </h2>
        <p role="status" className={styles.count}>
          {result.total === 0
            ? 'No events'
            : `${result.total.toLocaleString('en')} ${result.total === 1 ? 'event' : 'events'}${
                result.pageCount > 1 ? `, page ${result.page} of ${result.pageCount}` : ''
              }`}
        </p>
        <a href={`/api/audit/export${filterString ? `?${filterString}` : ''}`} className="button secondary small" download>
          Export CSV
        </a>
      </div>
      {result.total > AUDIT_EXPORT_LIMIT ? (
        <p className="alert warn">
          The export holds the newest {AUDIT_EXPORT_LIMIT.toLocaleString('en')} events; narrow the dates to export the rest.
        </p>
      ) : null}
      {result.events.length === 0 ? (
        <div className={`card ${styles.empty}`}>
          {result.total === 0 ? (
            <>
              <p>No audit events match these filters.</p>
              {filterString ? <Link href="/audit">Show all events</Link> : null}
            </>
          ) : (
            <>
              <p>This page is past the last one.</p>
              <Link href={pageLink(1)}>Go to the first page</Link>
            </>
          )}
        </div>
      ) : (
        <div className={styles.tableScroll} tabIndex={0} role="region" aria-labelledby="audit-results-heading">
          <table className={styles.table}>
            <caption className="visually-hidden">
              Audit events {first} to {first + result.events.length - 1}, newest first
            </caption>
            <thead>
              <tr>
                <th scope="col">Time (UTC)</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Outcome</th>
                <th scope="col">Patient</th>
                <th scope="col">Study</th>
                <th scope="col">From</th>
                {showFacility ? <th scope="col">Facility</th> : null}
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {result.events.map((event) => {
                const aeTitle = aeTitleOf(event.actor);
                const details = summarizeDetails(event.details);
                const dicomEvent = event.dicomEvent;
                return (
                  <tr key={event.id}>
                    <td data-label="Time (UTC)" className={styles.nowrap}>
                      <time dateTime={event.at.toISOString()}>{utcText(event.at)}</time>
                    </td>
                    <td data-label="Who" className={styles.who}>
                      {event.actorName ?? event.actor}
                      {event.actorName ? <div className={styles.sub}>{event.actor}</div> : null}
                    </td>
                    <td data-label="Action">
                      <span title={event.action}>{event.actionLabel}</span>
                      {dicomEvent ? <div className={styles.sub} title="DICOM audit event (PS3.15 A.5.3)">{`DICOM ${dicomEvent}`}</div> : null}
                    </td>
                    <td data-label="Outcome">
                      <span className={`${styles.outcome} ${OUTCOME_CLASS[event.outcome] ?? ''}`}>{event.outcome}</span>
                    </td>
                    <td data-label="Patient" className={styles.nowrap}>
                      {event.patientId ? (
                        <Link href={link({ patientId: event.patientId })} title="Show only this patient">
                          {event.patientId}
                        </Link>
                      ) : (
                        <span className={styles.none}>—</span>
                      )}
                    </td>
                    <td data-label="Study" className={styles.uid}>
                      {event.studyUid ? (
                        <Link href={link({ studyUid: event.studyUid })} title="Show only this study">
                          {event.studyUid}
                        </Link>
                      ) : (
                        <span className={styles.none}>—</span>
                      )}
                    </td>
                    <td data-label="From" className={styles.nowrap}>
                      {event.source ? <span title={event.sourceIp}>{event.source}</span> : <span className={styles.none}>—</span>}
                      {aeTitle ? <div className={styles.sub}>{`AE ${aeTitle}`}</div> : null}
                    </td>
                    {showFacility ? <td data-label="Facility">{event.facilityId ? codes.get(event.facilityId) : ''}</td> : null}
                    <td data-label="Details" className={styles.details}>
                      {event.resource ? <div className={styles.resource}>{event.resource}</div> : null}
                      {details ? <div className={styles.sub}>{details}</div> : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {result.pageCount > 1 ? (
        <nav aria-label="Pages" className={styles.pagination}>
          {result.page > 1 ? (
            <Link href={pageLink(result.page - 1)} rel="prev" className="button secondary small">
              ← Newer
            </Link>
          ) : (
            <span />
          )}
          <span>
            Page {result.page} of {result.pageCount}
          </span>
          {result.page < result.pageCount ? (
            <Link href={pageLink(result.page + 1)} rel="next" className="button secondary small">
              Older →
            </Link>
          ) : (
            <span />
          )}
        </nav>
      ) : null}
    </section>
  );
}
