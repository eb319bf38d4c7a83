// Writing a job: inside the caller's own transaction (an outbox), so the job
// exists if and only if the change that needs it committed. A job enqueued
// after commit is lost by a crash in between; one written outside the
// transaction runs for a change that was rolled back.
import { randomUUID } from 'node:crypto';
import { Prisma, type Database } from '../../prisma/database';
import { DEFAULT_MAX_ATTEMPTS, type JobPayloads, type JobType } from './job-types';

/** The transaction client of `db.$transaction(async (tx) => …)` (or the client itself, outside one). */
export type JobTransaction = Pick<Database, '$executeRaw' | '$queryRaw'>;

export interface EnqueueJobInput<Type extends JobType> {
  type: Type;
  /** Idempotency key within the type: enqueueing an existing (type, key) again does nothing */
  key: string;
  payload: JobPayloads[Type];
  /** Whose admins see the job when it keeps failing; null for a node-wide job */
  facilityId: string | null;
  /** Not before (default: now) */
  runAt?: Date;
  maxAttempts?: number;
  /** Higher runs first among due jobs (default 0; an emergency notice and its images: JOB_PRIORITY) */
  priority?: number;
}

/** Job priorities: claimed before routine jobs that are due at the same time */
export const JOB_PRIORITY = { ROUTINE: 0, EMERGENCY_IMAGES: 10, EMERGENCY_NOTICE: 20 } as const;

/** An emergency's jobs retry every 15 s at most (job-types.ts retryDelayMs): this many attempts keep at it for about an hour */
export const EMERGENCY_MAX_ATTEMPTS = 240;

/**
 * Adds the job in the caller's transaction and returns its id (the existing
 * job's, when the key was enqueued before). After the transaction commits,
 * call wakeJobRunners() so this process starts it at once; without that it
 * starts at the runners' next poll.
 */
export async function enqueueJob<Type extends JobType>(tx: JobTransaction, input: EnqueueJobInput<Type>): Promise<{ id: string; created: boolean }> {
  const id = randomUUID();
  const now = new Date();
  // INSERT … ON CONFLICT DO NOTHING on both databases: a failed unique insert
  // would abort the caller's whole PostgreSQL transaction, a check-then-insert races.
  const inserted = await tx.$executeRaw`
    INSERT INTO "Job" ("id", "type", "key", "payload", "facilityId", "state", "attempts", "maxAttempts", "runAt", "createdAt", "updatedAt", "priority")
    VALUES (${id}, ${input.type}, ${input.key}, ${JSON.stringify(input.payload)}, ${input.facilityId}, 'PENDING', 0,
            ${input.maxAttempts ?? DEFAULT_MAX_ATTEMPTS}, ${input.runAt ?? now}, ${now}, ${now}, ${input.priority ?? 0})
    ON CONFLICT ("type", "key") DO NOTHING`;
  if (inserted === 1) return { id, created: true };
  const [existing] = await tx.$queryRaw<{ id: string }[]>(Prisma.sql`SELECT "id" FROM "Job" WHERE "type" = ${input.type} AND "key" = ${input.key}`);
  return { id: existing.id, created: false };
}
