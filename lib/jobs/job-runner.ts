// Runs the jobs of the Job table: claims due jobs with a lease (claim-jobs.ts),
// runs each with its registered handler, then marks it DONE, or schedules the
// next attempt with backoff, or FAILED when the attempts are used up. Woken at
// once by wakeJobRunners() after a commit in this process; polls for the rest
// (jobs committed elsewhere, retries coming due, leases run out).
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Archive } from '../../pacs-core/archive';
import type { Logger } from '../../pacs-core/logger';
import type { Database } from '../../prisma/database';
import { claimDueJobs } from './claim-jobs';
import { announceJobSettled, onWake } from './job-signals';
import { retryDelayMs, type ClaimedJob } from './job-types';
import type { JobContext, JobRegistry } from './registry';

export interface JobRunnerOptions {
  db: Database;
  kind: 'sqlite' | 'postgres';
  archive: Archive;
  logger: Logger;
  /** The node's socket.io server, for handlers that tell open pages (absent in tests of lib alone) */
  io?: JobContext['io'];
  registry: JobRegistry;
  /** Jobs run at once by this runner (JOBS_CONCURRENCY, default 2) */
  concurrency?: number;
  pollIntervalMs?: number;
  /** How long a claim holds without renewal; renewed every third of it while the handler runs */
  leaseMs?: number;
  /** How long stop() waits for running handlers before giving their jobs back */
  stopGraceMs?: number;
  /** Names this runner in lockedBy (default host:pid:random) */
  workerId?: string;
}

export interface JobRunner {
  readonly workerId: string;
  /** Look for due jobs now */
  wake(): void;
  /** Stops claiming; waits for running handlers (up to the grace), gives back the jobs still running. */
  stop(): Promise<void>;
}

const MAX_ERROR_LENGTH = 2000;
/** Beyond JOBS_CONCURRENCY, slots only jobs of priority > 0 take (an emergency notice and its images never wait behind routine work) */
export const EMERGENCY_SLOTS = 2;
export const DONE_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

export function startJobRunner(options: JobRunnerOptions): JobRunner {
  const { db, kind, logger, registry } = options;
  const concurrency = options.concurrency ?? 2;
  const leaseMs = options.leaseMs ?? 60_000;
  const workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const running = new Map<string, Promise<void>>();
  let stopping = false;
  let claiming: Promise<void> | null = null;
  let again = false;

  function fill(): Promise<void> {
    if (claiming) {
      again = true;
      return claiming;
    }
    claiming = claim().finally(() => (claiming = null));
    return claiming;
  }

  async function claim(): Promise<void> {
    try {
      do {
        again = false;
        const free = concurrency - running.size;
        // Every slot taken (long routine transfers): an emergency job (a notice, its images) takes one of its own
        const emergency = free <= 0 ? concurrency + EMERGENCY_SLOTS - running.size : 0;
        if (stopping || (free <= 0 && emergency <= 0)) return;
        const limit = free > 0 ? free : emergency;
        const jobs = await claimDueJobs(db, kind, { workerId, limit, leaseMs, ...(free > 0 ? {} : { minPriority: 1 }) });
        for (const job of jobs) {
          const run = runJob(normalize(job)).finally(() => {
            running.delete(job.id);
            if (!stopping) void fill();
          });
          running.set(job.id, run);
        }
        // A full batch: there may be more due
        if (jobs.length === limit) again = true;
      } while (again);
    } catch (error) {
      // A busy database, a lost connection: the next poll tries again
      if (!stopping) logger.warn('could not claim background jobs', { error: String(error) });
    }
  }

  async function runJob(job: ClaimedJob): Promise<void> {
    const owned = { id: job.id, lockedBy: workerId, state: 'RUNNING' };
    const heartbeat = setInterval(() => {
      db.job
        .updateMany({ where: owned, data: { lockedUntil: new Date(Date.now() + leaseMs) } })
        .catch((error: unknown) => logger.warn('could not renew a background job lease', { jobId: job.id, error: String(error) }));
    }, Math.max(50, Math.floor(leaseMs / 3)));
    heartbeat.unref();
    try {
      // Claimed again after its lease ran out more often than allowed: its process died during
      // every attempt (a handler that crashes the process would otherwise loop forever)
      if (job.attempts > job.maxAttempts) throw new Error('the process running this job stopped during every attempt');
      const handler = registry.handlerFor(job.type);
      // A job of a type this version does not know: retried, as a newer process may know it
      if (!handler) throw new Error(`no handler for job type ${job.type}`);
      await handler(JSON.parse(job.payload) as unknown, {
        db,
        archive: options.archive,
        logger,
        io: options.io,
        job: { id: job.id, key: job.key, attempts: job.attempts, maxAttempts: job.maxAttempts, facilityId: job.facilityId },
      });
      clearInterval(heartbeat);
      await db.job.updateMany({ where: owned, data: { state: 'DONE', finishedAt: new Date(), lockedBy: null, lockedUntil: null, lastError: null } });
    } catch (error) {
      clearInterval(heartbeat);
      const failed = job.attempts >= job.maxAttempts;
      const message = (error instanceof Error ? error.message : String(error)).slice(0, MAX_ERROR_LENGTH);
      logger.warn(failed ? 'background job failed, attempts used up' : 'background job failed, will retry', { jobId: job.id, type: job.type, key: job.key, attempts: job.attempts, error: message });
      await db.job
        .updateMany({
          where: owned,
          data: failed
            ? { state: 'FAILED', lastError: message, lockedBy: null, lockedUntil: null, finishedAt: new Date() }
            : { state: 'PENDING', lastError: message, lockedBy: null, lockedUntil: null, runAt: new Date(Date.now() + retryDelayMs(job.attempts, job.priority)) },
        })
        .catch((updateError: unknown) => logger.error('could not record a background job failure', { jobId: job.id, error: String(updateError) }));
    } finally {
      announceJobSettled(job.id);
    }
  }

  const poll = setInterval(() => void fill(), options.pollIntervalMs ?? 1000);
  poll.unref();
  // Done jobs are kept a week (for a look at what ran), then deleted; their keys may then be used again
  const sweep = setInterval(() => {
    db.job
      .deleteMany({ where: { state: 'DONE', finishedAt: { lt: new Date(Date.now() - DONE_RETENTION_MS) } } })
      .catch((error: unknown) => logger.warn('could not delete old background jobs', { error: String(error) }));
  }, 60 * 60 * 1000);
  sweep.unref();
  const unsubscribe = onWake(() => void fill());
  void fill();

  return {
    workerId,
    wake: () => void fill(),
    async stop() {
      stopping = true;
      clearInterval(poll);
      clearInterval(sweep);
      unsubscribe();
      // A claim in flight has marked its jobs RUNNING in the database: they are ours to finish or give back
      await claiming;
      let graceTimer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => (graceTimer = setTimeout(resolve, options.stopGraceMs ?? 5_000)));
      await Promise.race([Promise.allSettled([...running.values()]), grace]);
      clearTimeout(graceTimer);
      if (!running.size) return;
      // Still running after the grace: give them back now rather than when the lease runs out.
      // The attempt did not end, so it does not count. The handler may still finish; it is idempotent.
      const ids = [...running.keys()];
      await db.job
        .updateMany({ where: { id: { in: ids }, lockedBy: workerId, state: 'RUNNING' }, data: { state: 'PENDING', lockedBy: null, lockedUntil: null, runAt: new Date(), attempts: { decrement: 1 } } })
        .catch((error: unknown) => logger.warn('could not give back running background jobs', { ids, error: String(error) }));
      logger.warn('background jobs still running at shutdown were given back', { ids });
    },
  };
}

/** Raw rows: SQLite may answer integers as bigint. */
function normalize(job: ClaimedJob): ClaimedJob {
  return { ...job, attempts: Number(job.attempts), maxAttempts: Number(job.maxAttempts), priority: Number(job.priority ?? 0) };
}
