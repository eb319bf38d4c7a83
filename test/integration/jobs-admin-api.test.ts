// The facility admin's view of failing background jobs, through the API routes
// as Next calls them, on a running node (SQLite or PostgreSQL): a job that used
// up its attempts is listed with its error, Retry runs it again and is audited,
// and anyone but that facility's admin gets 404.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GET as listJobsRoute } from '../../app/api/admin/facilities/[facilityId]/jobs/route';
import { POST as retryJobRoute } from '../../app/api/admin/facilities/[facilityId]/jobs/[jobId]/retry/route';
import { SESSION_COOKIE_NAME, createSession } from '../../lib/auth';
import { enqueueJob } from '../../lib/jobs/enqueue-job';
import { wakeJobRunners, waitForJob } from '../../lib/jobs/job-signals';
import { createFacility, createUser } from '../../lib/policy/test-fixtures';
import '../support/job-test-types';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from '../support/test-server';

describe('background jobs in the facility administration', () => {
  let server: TestServer;
  let facilityId: string;
  let jobId: string;
  const users = { admin: '', outsider: '', member: '' };

  /** A same-origin request with the user's session cookie, as the page's fetch sends it. */
  async function requestAs(method: 'GET' | 'POST', path: string, userId: string): Promise<Request> {
    const url = new URL(path, server.url);
    const { token } = await createSession(server.node.db, { userId, ttlHours: 1 });
    return new Request(url, { method, headers: { origin: url.origin, host: url.host, cookie: `${SESSION_COOKIE_NAME}=${token}` } });
  }

  const list = async (userId: string) =>
    listJobsRoute(await requestAs('GET', `/api/admin/facilities/${facilityId}/jobs`, userId), { params: Promise.resolve({ facilityId }) });
  const retry = async (userId: string) =>
    retryJobRoute(await requestAs('POST', `/api/admin/facilities/${facilityId}/jobs/${jobId}/retry`, userId), { params: Promise.resolve({ facilityId, jobId }) });

  before(async () => {
    server = await startTestServer();
    const db = server.node.db;
    users.admin = (await db.user.findUniqueOrThrow({ where: { email: TEST_ADMIN_EMAIL } })).id;
    facilityId = (await db.membership.findFirstOrThrow({ where: { userId: users.admin } })).facilityId;
    users.member = (await createUser(db, { email: 'doctor@hospital.example', memberships: [{ facilityId, role: 'REFERRING' }] })).id;
    const other = await createFacility(db, 'Other Clinic');
    users.outsider = (await createUser(db, { email: 'admin@other.example', memberships: [{ facilityId: other.id, role: 'ADMIN' }] })).id;
    // A type this node has no handler for: every attempt fails; one attempt allowed
    jobId = (await db.$transaction((tx) => enqueueJob(tx, { type: 'test.record', key: 'orphan', payload: { label: 'orphan' }, facilityId, maxAttempts: 1 }))).id;
    wakeJobRunners();
    assert.equal((await waitForJob(db, jobId, 10_000)).state, 'FAILED');
  });

  after(async () => {
    await server?.stop();
  });

  it('lists the failed job to its facility admin with its error, and to nobody else', async () => {
    const response = await list(users.admin);
    assert.equal(response.status, 200);
    const { jobs } = (await response.json()) as { jobs: { id: string; type: string; key: string; state: string; attempts: number; lastError: string; nextRunAt: string | null }[] };
    assert.deepEqual(
      jobs.map((job) => [job.id, job.type, job.key, job.state, job.attempts, job.lastError, job.nextRunAt]),
      [[jobId, 'test.record', 'orphan', 'FAILED', 1, 'no handler for job type test.record', null]],
    );
    for (const userId of [users.outsider, users.member]) {
      const refused = await list(userId);
      assert.equal(refused.status, 404);
      assert.deepEqual(await refused.json(), { error: 'NOT_FOUND', message: 'Not found.' });
    }
  });

  it('retries it for the admin (audited), refuses everyone else with 404', async () => {
    assert.equal((await retry(users.outsider)).status, 404);
    assert.equal((await retry(users.member)).status, 404);
    assert.equal((await server.node.db.job.findUniqueOrThrow({ where: { id: jobId } })).state, 'FAILED', 'untouched by the refused calls');

    const response = await retry(users.admin);
    assert.equal(response.status, 204);
    // Still no handler: it runs again, fails again
    assert.equal((await waitForJob(server.node.db, jobId, 10_000)).state, 'FAILED');
    const job = await server.node.db.job.findUniqueOrThrow({ where: { id: jobId } });
    assert.equal(job.attempts, 1, 'a fresh count of attempts');
    const audit = await server.node.db.auditEvent.findFirstOrThrow({ where: { action: 'admin.job.retry' } });
    assert.equal(audit.actorUserId, users.admin);
    assert.equal(audit.resource, `jobs/${jobId}`);
  });
});
