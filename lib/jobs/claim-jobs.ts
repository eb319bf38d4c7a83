// Claiming due jobs in ONE statement, so two runners (threads of one process,
// or several processes on one database) never get the same job:
// - PostgreSQL: the inner SELECT … FOR UPDATE SKIP LOCKED locks the rows it
//   picks and skips rows another runner's claim holds (graphile-worker's way).
// - SQLite: one writer at a time; the UPDATE … RETURNING runs under the write
//   lock, so the second claimer sees the first one's RUNNING rows.
// Among the due jobs, the higher priority first (an emergency notice and its images before
// routine transfers, mail and the rest), then the oldest due. A job already running is not
// interrupted: priority decides which job takes the next free slot, and a runner whose
// slots are all taken still claims emergency jobs in a few slots of their own (job-runner.ts).
// A claim is a lease: a RUNNING job whose lockedUntil has passed (its process
// died, kill -9, power cut) is due again and counts as an attempt.
import { Prisma, type Database } from '../../prisma/database';
import type { ClaimedJob } from './job-types';

export async function claimDueJobs(
  db: Database,
  kind: 'sqlite' | 'postgres',
  options: { workerId: string; limit: number; leaseMs: number; now?: Date; /** Only jobs of at least this priority (a runner's emergency slots) */ minPriority?: number },
): Promise<ClaimedJob[]> {
  const now = options.now ?? new Date();
  const lockedUntil = new Date(now.getTime() + options.leaseMs);
  const skipLocked = kind === 'postgres' ? Prisma.sql`FOR UPDATE SKIP LOCKED` : Prisma.empty;
  const priority = options.minPriority ? Prisma.sql`AND "priority" >= ${options.minPriority}` : Prisma.empty;
  return db.$queryRaw<ClaimedJob[]>`
    UPDATE "Job"
       SET "state" = 'RUNNING', "lockedBy" = ${options.workerId}, "lockedUntil" = ${lockedUntil},
           "attempts" = "attempts" + 1, "updatedAt" = ${now}
     WHERE "id" IN (
       SELECT "id" FROM "Job"
        WHERE (("state" = 'PENDING' AND "runAt" <= ${now})
           OR ("state" = 'RUNNING' AND "lockedUntil" < ${now}))
          ${priority}
        ORDER BY "priority" DESC, "runAt", "id"
        LIMIT ${options.limit}
        ${skipLocked})
    RETURNING "id", "type", "key", "payload", "facilityId", "attempts", "maxAttempts", "priority"`;
}
