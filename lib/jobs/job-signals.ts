// In-process signals between code that enqueues jobs and the runners: "a job
// was committed, look now" and "job X finished". On globalThis, because Next
// bundles the route handlers apart from the server (lib/runtime.ts says why).
// Only a shortcut: runners also poll, and waitForJob also reads the table, so
// a job committed or finished by another process is seen all the same.
import { EventEmitter } from 'node:events';
import type { Database } from '../../prisma/database';
import type { JobState, JobType } from './job-types';

const KEY = Symbol.for('telepacs.jobs.signals');
type GlobalWithSignals = typeof globalThis & { [KEY]?: EventEmitter };

function signals(): EventEmitter {
  const global = globalThis as GlobalWithSignals;
  if (!global[KEY]) {
    global[KEY] = new EventEmitter();
    global[KEY].setMaxListeners(0);
  }
  return global[KEY];
}

/**
 * Jobs of this type whose keys start so, waiting (PENDING, perhaps in a retry's backoff) for
 * something that has now happened — e.g. a notice's or a case's changes for its delivery to
 * another node: due now, and the runners woken.
 */
export async function runWaitingJobsNow(db: Pick<Database, 'job'>, type: JobType, keyPrefix: string): Promise<void> {
  await db.job.updateMany({ where: { type, key: { startsWith: keyPrefix }, state: 'PENDING' }, data: { runAt: new Date() } });
  wakeJobRunners();
}

/** Call after the transaction that enqueued a job has committed. */
export function wakeJobRunners(): void {
  signals().emit('wake');
}

export function onWake(listener: () => void): () => void {
  signals().on('wake', listener);
  return () => signals().off('wake', listener);
}

export function announceJobSettled(jobId: string): void {
  signals().emit(`settled:${jobId}`);
}

export interface JobOutcome {
  state: JobState;
  attempts: number;
  lastError: string | null;
}

/**
 * Waits until the job is DONE or FAILED, or the time is up; answers the job's
 * state then (PENDING/RUNNING when the time ran out). For a caller that
 * promised its user an answer, e.g. the SR export's "Saved to the archive".
 */
export async function waitForJob(db: Pick<Database, 'job'>, jobId: string, timeoutMs: number): Promise<JobOutcome> {
  const deadline = Date.now() + timeoutMs;
  const read = async (): Promise<JobOutcome> =>
    (await db.job.findUnique({ where: { id: jobId }, select: { state: true, attempts: true, lastError: true } })) as JobOutcome | null ?? {
      state: 'FAILED',
      attempts: 0,
      lastError: 'the job no longer exists',
    };
  for (;;) {
    const outcome = await read();
    const left = deadline - Date.now();
    if (outcome.state === 'DONE' || outcome.state === 'FAILED' || left <= 0) return outcome;
    // Woken by this process's runner at once; a runner elsewhere is seen by the next read.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.min(left, 500));
      function done(): void {
        clearTimeout(timer);
        signals().off(`settled:${jobId}`, done);
        resolve();
      }
      signals().once(`settled:${jobId}`, done);
    });
  }
}
