// A process that enqueues jobs and starts running them, to be killed with
// SIGKILL by test/integration/durable-jobs.test.ts: each job in its own
// committed transaction, then a runner (lease 1 s) whose handler never
// returns, so at the kill some jobs are RUNNING under a lease and the rest
// PENDING. Prints READY once both are true.
// Env: JOBS_CHILD_DB (DatabaseOptions as JSON), JOBS_CHILD_KEYS (comma list).
import type { Archive } from '../../pacs-core/archive';
import { silentLogger } from '../../pacs-core/logger';
import { createDatabase, type DatabaseOptions } from '../../prisma/database';
import { enqueueJob } from '../../lib/jobs/enqueue-job';
import { startJobRunner } from '../../lib/jobs/job-runner';
import { createJobRegistry, defineJob } from '../../lib/jobs/registry';
import './job-test-types';

const options = JSON.parse(process.env.JOBS_CHILD_DB ?? '{}') as DatabaseOptions;
const keys = (process.env.JOBS_CHILD_KEYS ?? '').split(',');
const db = createDatabase(options);
const kind = options.databaseUrl?.startsWith('postgres') ? 'postgres' : 'sqlite';

for (const key of keys) {
  await db.$transaction(async (tx) => {
    await enqueueJob(tx, { type: 'test.record', key, payload: { label: key }, facilityId: null });
  });
}
let started = 0;
const hang = defineJob('test.record', async () => {
  started += 1;
  if (started === 2) process.stdout.write('READY\n');
  await new Promise(() => {});
});
// No archive: the test handler does not use one
startJobRunner({ db, kind, archive: undefined as unknown as Archive, logger: silentLogger, registry: createJobRegistry([hang]), concurrency: 2, leaseMs: 1000 });
