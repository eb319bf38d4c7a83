// The emergency-access review queue of one facility (issue 16): every override
// (break-glass) concerning it, PENDING first, newest first, for its privacy
// officers and administrators (lib/policy/override-access.ts; everyone else
// gets the 404 page). Each row: who, which patient, why, when, what it opened,
// how many accesses the audit trail holds under it, and the review form.
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { listOverrides, type OverrideRow } from '../../../../lib/emergency-override/list-overrides';
import { getRuntime } from '../../../../lib/runtime';
import { displayName } from '../../../../lib/display/dicom-display';
import { requireSignedInUser } from '../../../_lib/current-user';
import { AdminShell } from '../../_components/admin-shell';
import { ActionButton } from '../../_components/action-button';
import { formatDateTime } from '../../_components/format';
import { orNotFound } from '../../_lib/or-not-found';
import styles from '../../admin.module.css';
import { OverrideReviewForm } from './override-review-form';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Emergency access · Administration' };

const STATE_WORDS = { RUNNING: 'Running', ENDED: 'Ended early', EXPIRED: 'Ended' } as const;
const REVIEW_WORDS: Record<string, string> = { PENDING: 'Waiting for review', JUSTIFIED: 'Justified', NOT_JUSTIFIED: 'Not justified' };

export default async function EmergencyAccessPage({ params, searchParams }: { params: Promise<{ facilityId: string }>; searchParams: Promise<{ state?: string }> }) {
  const { facilityId } = await params;
  const state = (await searchParams).state === 'all' ? 'all' : 'pending';
  const user = await requireSignedInUser(`/admin/${facilityId}/emergency-access`);
  const rows = await orNotFound(listOverrides(getRuntime(), user.id, { state, facilityId }));
  const membership = user.memberships.find((candidate) => candidate.facilityId === facilityId);
  if (!membership) notFound();
  const facility = { id: facilityId, name: membership.facilityName, code: membership.facilityCode };
  return (
    <AdminShell user={user} facility={facility} current="emergency-access">
      <section className={styles.section} aria-labelledby="overrides-heading">
        <h2 id="overrides-heading">Emergency access without consent</h2>
        <p className={styles.muted}>
          A clinician may open a patient&rsquo;s images without consent in an emergency, with their password and a reason, for at most 4 hours. Each one concerning{' '}
          {facility.name} waits here for your review: mark it justified or not (say why).{' '}
          {state === 'all' ? <a href="?state=pending">Show those waiting only</a> : <a href="?state=all">Show all, reviewed too</a>}
        </p>
        {rows.length === 0 ? (
          <p className={styles.empty}>{state === 'all' ? 'No emergency access concerns this facility.' : 'Nothing waits for review.'}</p>
        ) : (
          <ol aria-label="Emergency accesses, waiting first, newest first" style={{ listStyle: 'none', padding: 0, display: 'grid', gap: '1rem' }}>
            {rows.map((row) => (
              <OverrideItem key={row.id} row={row} />
            ))}
          </ol>
        )}
      </section>
    </AdminShell>
  );
}

function OverrideItem({ row }: { row: OverrideRow }) {
  return (
    <li className="card" data-override-id={row.id} data-review-status={row.reviewStatus} style={{ display: 'block' }}>
      <p style={{ marginTop: 0 }}>
        <strong>{row.declaredBy.name}</strong> <small>({row.declaredBy.email}, {row.actingFacility.name})</small> opened{' '}
        <strong>{displayName(row.patient.name) || 'a patient'}</strong> <small>(MRN {row.patient.patientId || '—'}, {row.patient.facility.name})</small>
      </p>
      <dl style={{ display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: '0.25rem 1rem', margin: '0.5rem 0' }}>
        <dt>Reason</dt>
        <dd>{row.reason}</dd>
        <dt>From</dt>
        <dd>{formatDateTime(row.startedAt)}</dd>
        <dt>Until</dt>
        <dd>
          {formatDateTime(row.endedAt ?? row.endsAt)} · {STATE_WORDS[row.state]}
          {row.endedBy && ` by ${row.endedBy.name}`}
        </dd>
        <dt>Opened</dt>
        <dd>
          {row.grants} stud{row.grants === 1 ? 'y' : 'ies'} · {row.accesses} recorded access{row.accesses === 1 ? '' : 'es'}
        </dd>
        <dt>Review</dt>
        <dd>
          {REVIEW_WORDS[row.reviewStatus] ?? row.reviewStatus}
          {row.reviewedBy && ` by ${row.reviewedBy.name}, ${formatDateTime(row.reviewedAt)}`}
          {row.reviewComment && `: ${row.reviewComment}`}
        </dd>
      </dl>
      {row.state === 'RUNNING' && (
        <p>
          <ActionButton label="End it now" method="POST" url={`/api/emergency-overrides/${row.id}/end`} confirm="End this emergency access now? The clinician loses access at once." failure="It could not be ended." />
        </p>
      )}
      {row.mayReview ? <OverrideReviewForm overrideId={row.id} current={row.reviewStatus} /> : <p className={styles.muted}>You opened it: another privacy officer or administrator reviews it.</p>}
    </li>
  );
}
