// The facility admin's view of background work that keeps failing: a job is
// listed once it has failed FAILING_AFTER_ATTEMPTS times without succeeding,
// or has used up its attempts (FAILED). NOT_FOUND for anyone but an admin of
// the facility (lib/policy/admin-area.ts).
import type { AdminActor, AdminContext } from '../admin/context';
import { authorizeAdminArea } from '../policy/admin-area';
import { FAILING_AFTER_ATTEMPTS, type JobState } from './job-types';

// Words for the admin; a type not listed shows as its code
const JOB_TYPE_LABELS: Record<string, string> = {
  'consult.export-sr': 'Teleconsultation annotations saved as DICOM SR',
  'referral.attachment-archive': 'Second-opinion attachment filed into the study (Encapsulated PDF / Secondary Capture)',
  'mail.send': 'E-mail notification (SMTP_URL)',
  'referral.escalate': 'Second-opinion case past its due time: notify the service and its administrators',
  'hl7.send-report': 'Signed report sent to the RIS (HL7 ORU^R01)',
};

export interface FailingJob {
  id: string;
  type: string;
  /** What the job does, in words */
  label: string;
  key: string;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  /** When it is tried again; null once FAILED (only Retry runs it again) */
  nextRunAt: Date | null;
  createdAt: Date;
}

export const FAILING_JOBS_SHOWN = 200;

export async function listFailingJobs(context: Pick<AdminContext, 'db'>, actor: Pick<AdminActor, 'userId'>, facilityId: string): Promise<FailingJob[]> {
  const { db } = context;
  await authorizeAdminArea(db, actor.userId, facilityId);
  const rows = await db.job.findMany({
    where: {
      facilityId,
      OR: [{ state: 'FAILED' }, { state: { in: ['PENDING', 'RUNNING'] }, attempts: { gte: FAILING_AFTER_ATTEMPTS } }],
    },
    orderBy: [{ updatedAt: 'desc' }, { id: 'asc' }],
    take: FAILING_JOBS_SHOWN,
    select: { id: true, type: true, key: true, state: true, attempts: true, maxAttempts: true, lastError: true, runAt: true, createdAt: true },
  });
  return rows.map(({ runAt, state, ...row }) => ({ ...row, label: JOB_TYPE_LABELS[row.type] ?? row.type, state: state as JobState, nextRunAt: state === 'FAILED' ? null : runAt }));
}
