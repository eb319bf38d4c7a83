// The facility administrator's "Background jobs" page (issue 13 §4) in the
// built portal with real Chromium: a job that used up its attempts shows with
// its error and "Gave up", one still retrying shows when it runs next, and
// Retry runs the first again — it succeeds now that its peer answers, and
// leaves the list. The page at desktop and phone width
// (test-output/e2e/admin-jobs-*.png), fitting the phone.
//
// The node runs no jobs itself here (JOBS_CONCURRENCY=0): a runner in this
// process, on the node's own database, runs a test-only job type whose
// "peer PACS" is unreachable until the test says otherwise — a failure made
// deterministic. Retry's wake-up reaches it as it reaches the node's runner.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { enqueueJob } from '../../lib/jobs/enqueue-job';
import { startJobRunner, type JobRunner } from '../../lib/jobs/job-runner';
import { wakeJobRunners, waitForJob } from '../../lib/jobs/job-signals';
import { createJobRegistry, defineJob } from '../../lib/jobs/registry';
import { createUser } from '../../lib/policy/test-fixtures';
import { silentLogger } from '../../pacs-core/logger';
import { CHROMIUM, launchChromium } from '../support/browser';
import '../support/job-test-types';
import { openSignedIn, overflowingElements, PHONE, screenshot } from '../support/screens';
import { testDatabaseKind } from '../support/test-database';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from '../support/test-server';

const skip = existsSync(CHROMIUM) ? false : `Chromium not found at ${CHROMIUM} (apt-get install chromium)`;
const UNREACHABLE = 'Peer PACS ARCHIVE2@10.0.0.9:104 did not answer the association request within 30 s';

describe('background jobs page of a facility administrator', { skip, timeout: 15 * 60_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let runner: JobRunner;
  let peerAnswers = false;
  const ran: string[] = [];
  let facilityId = '';
  let adminId = '';
  const jobs = { failed: '', retrying: '' };

  const row = (page: Page, key: string): Locator => page.locator(`tr[data-job-key="${key}"]`);

  before(async () => {
    server = await startTestServer({ portal: true, env: { JOBS_CONCURRENCY: '0' } });
    const db = server.node.db;
    adminId = (await db.user.findUniqueOrThrow({ where: { email: TEST_ADMIN_EMAIL } })).id;
    facilityId = (await db.membership.findFirstOrThrow({ where: { userId: adminId } })).facilityId;
    runner = startJobRunner({
      db,
      kind: testDatabaseKind(),
      archive: server.node.archive,
      logger: silentLogger,
      registry: createJobRegistry([
        defineJob('test.record', async ({ label }) => {
          if (!peerAnswers) throw new Error(UNREACHABLE);
          ran.push(label);
        }),
      ]),
      pollIntervalMs: 200,
    });
    // Used up its one attempt: FAILED, waits for Retry
    jobs.failed = (await db.$transaction((tx) => enqueueJob(tx, { type: 'test.record', key: 'forward-study-1', payload: { label: 'forward-study-1' }, facilityId, maxAttempts: 1 }))).id;
    wakeJobRunners();
    assert.equal((await waitForJob(db, jobs.failed, 10_000)).state, 'FAILED');
    // Failing for a while, tried again in an hour: written as the runner would leave it after 3 attempts
    jobs.retrying = (
      await db.$transaction((tx) =>
        enqueueJob(tx, { type: 'test.record', key: 'forward-study-2', payload: { label: 'forward-study-2' }, facilityId, runAt: new Date(Date.now() + 60 * 60_000) }),
      )
    ).id;
    await db.job.update({ where: { id: jobs.retrying }, data: { attempts: 3, lastError: UNREACHABLE } });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await runner?.stop();
    await server?.stop();
  });

  it('shows the job that gave up with its error, and the one still retrying with its next attempt', async () => {
    const page = await openSignedIn(browser, server, adminId, `/admin/${facilityId}/jobs`);
    await page.getByRole('heading', { name: 'Background jobs that keep failing' }).waitFor();
    const failed = row(page, 'forward-study-1');
    // A type without words of its own is named once, by its code
    assert.deepEqual(await cellTexts(failed), ['test.record forward-study-1', '1 of 1', UNREACHABLE, 'Gave up', 'Retry']);
    const retrying = row(page, 'forward-study-2');
    const [, attempts, error, next] = await cellTexts(retrying);
    assert.deepEqual([attempts, error], ['3 of 10', UNREACHABLE]);
    assert.match(next, /\d/, `the time of the next attempt, not "${next}"`);
    await screenshot(page, 'admin-jobs');

    const phone = await openSignedIn(browser, server, adminId, `/admin/${facilityId}/jobs`, PHONE);
    await row(phone, 'forward-study-1').waitFor();
    assert.deepEqual(await overflowingElements(phone), [], 'nothing wider than the phone');
    await screenshot(phone, 'admin-jobs-phone');
  });

  it('Retry runs the job again; it succeeds now and leaves the list, and the Retry is audited', async () => {
    peerAnswers = true;
    const page = await openSignedIn(browser, server, adminId, `/admin/${facilityId}/jobs`);
    const retried = page.waitForResponse((response) => response.url().endsWith(`/jobs/${jobs.failed}/retry`));
    await row(page, 'forward-study-1').getByRole('button', { name: 'Retry' }).click();
    assert.equal((await retried).status(), 204);
    assert.equal((await waitForJob(server.node.db, jobs.failed, 10_000)).state, 'DONE');
    assert.deepEqual(ran, ['forward-study-1']);
    await page.reload();
    await row(page, 'forward-study-2').waitFor();
    assert.equal(await row(page, 'forward-study-1').count(), 0, 'a job that succeeded is no longer listed');
    const audit = await server.node.db.auditEvent.findFirstOrThrow({ where: { action: 'admin.job.retry' } });
    assert.equal(audit.actorUserId, adminId);
    assert.equal(audit.resource, `jobs/${jobs.failed}`);
  });

  it('anyone but the facility administrator gets Not found', async () => {
    const db = server.node.db;
    const member = await createUser(db, { email: 'member@demo.example', memberships: [{ facilityId, role: 'REFERRING' }] });
    const page = await openSignedIn(browser, server, member.id, `/admin/${facilityId}/jobs`);
    await page.getByRole('heading', { name: /not found/i }).waitFor();
    assert.equal(await page.getByText(UNREACHABLE).count(), 0);
  });
});

async function cellTexts(row: Locator): Promise<string[]> {
  // innerText, as read on the screen: the line break between a job's name and its key is a space here
  return (await row.locator('td').evaluateAll((cells) => cells.map((cell) => (cell as HTMLElement).innerText))).map((text) => text.replace(/\s+/g, ' ').trim());
}
