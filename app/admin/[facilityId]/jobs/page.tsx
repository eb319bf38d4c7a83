import type { Metadata } from 'next';
import { FAILING_AFTER_ATTEMPTS } from '../../../../lib/jobs/job-types';
import { listFailingJobs } from '../../../../lib/jobs/list-failing-jobs';
import { getRuntime } from '../../../../lib/runtime';
import { AdminShell } from '../../_components/admin-shell';
import { TableHead } from '../../../_components/table-head';
import { ActionButton } from '../../_components/action-button';
import { formatDateTime } from '../../_components/format';
import { requireFacilityAdmin } from '../../_lib/require-facility-admin';
import styles from '../../admin.module.css';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Background jobs · Administration' };

export default async function JobsPage({ params }: { params: Promise<{ facilityId: string }> }) {
  const { facilityId } = await params;
  const { user, facility } = await requireFacilityAdmin(facilityId, `/admin/${facilityId}/jobs`);
  const jobs = await listFailingJobs(getRuntime(), { userId: user.id }, facilityId);
  return (
    <AdminShell user={user} facility={facility} current="jobs">
      <section className={styles.section} aria-labelledby="jobs-heading">
        <h2 id="jobs-heading">Background jobs that keep failing</h2>
        <p className={styles.muted}>
          Work done after a request has been answered (such as storing a teleconsultation&apos;s annotations in the archive) is retried on its own, with growing
          waits up to an hour. A job appears here after {FAILING_AFTER_ATTEMPTS} failed attempts; once its attempts are used up it waits for you to retry it.
        </p>
        {jobs.length === 0 ? (
          <p className={styles.empty}>No background job of {facility.name} is failing.</p>
        ) : (
          <table className={styles.table}>
            <TableHead columns={['Job', 'Attempts', 'Last error', 'Next attempt']} actions />
            <tbody>
              {jobs.map((job) => (
                <JobRow key={job.id} facilityId={facilityId} job={job} />
              ))}
            </tbody>
          </table>
        )}
      </section>
    </AdminShell>
  );
}

type FailingJob = Awaited<ReturnType<typeof listFailingJobs>>[number];

/** One failing job: what it does, its attempts and last error, when it runs next, and Retry unless it is running now. */
function JobRow({ facilityId, job }: { facilityId: string; job: FailingJob }) {
  const retryUrl = `/api/admin/facilities/${facilityId}/jobs/${job.id}/retry`;
  return (
    <tr data-job-key={job.key}>
      <td data-label="Job">
        {job.label}
        <br />
        <small className={`${styles.muted} ${styles.jobKey}`}>
          {job.label !== job.type && `${job.type} · `}
          {job.key}
        </small>
      </td>
      <td data-label="Attempts">
        {job.attempts} of {job.maxAttempts}
      </td>
      <td data-label="Last error">{job.lastError ?? '—'}</td>
      <td data-label="Next attempt">{job.state === 'FAILED' ? <span className={styles.bad}>Gave up</span> : job.state === 'RUNNING' ? 'Running now' : formatDateTime(job.nextRunAt)}</td>
      <td data-label="Actions">{job.state !== 'RUNNING' && <ActionButton label="Retry" method="POST" url={retryUrl} failure="The job could not be retried." />}</td>
    </tr>
  );
}
