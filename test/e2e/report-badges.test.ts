// Reports in real time (issue 14) in the built portal with real Chromium: a
// REFERRING member has the study page open (no report they may see yet: the
// expert's draft is the expert's alone); the expert signs through the API
// (POST /api/reports/{id}/sign); the page's badge turns Final without a
// reload (report:changed on the /realtime socket). The worklist row shows it too.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { SESSION_COOKIE_NAME, createSession, hashPassword } from '../../lib/auth';
import { createUser } from '../../lib/policy/test-fixtures';
import { createReport } from '../../lib/reports/create-report';
import { saveDraft } from '../../lib/reports/save-draft';
import { getRuntime } from '../../lib/runtime';
import { CHROMIUM, launchChromium } from '../support/browser';
import { makeStudy } from '../support/fixtures';
import { openSignedIn, screenshot } from '../support/screens';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from '../support/test-server';

const skip = existsSync(CHROMIUM) ? false : `Chromium not found at ${CHROMIUM} (apt-get install chromium)`;
const PASSWORD = 'report badges password';

describe('report status badges update in real time', { skip, timeout: 15 * 60_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  const users = { expert: '', referrer: '' };
  let studyUid = '';

  before(async () => {
    server = await startTestServer({ portal: true });
    const db = server.node.db;
    const facilityId = (await db.membership.findFirstOrThrow({ where: { user: { email: TEST_ADMIN_EMAIL } } })).facilityId;
    const passwordHash = await hashPassword(PASSWORD);
    users.expert = (await createUser(db, { email: 'erin@badges.example', passwordHash, memberships: [{ facilityId, role: 'EXPERT' }] })).id;
    users.referrer = (await createUser(db, { email: 'rob@badges.example', passwordHash, memberships: [{ facilityId, role: 'REFERRING' }] })).id;
    const study = makeStudy({ patientId: 'BADGE-1', patientName: 'Novak^Eva', studyDescription: 'CT chest', modality: 'CT', series: 1, instancesPerSeries: 1, rows: 64, columns: 64, seed: 'badges' });
    for (const file of study) await server.node.archive.ingest(file, { kind: 'import', source: 'e2e' }, facilityId);
    studyUid = study.studyInstanceUid;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('a referrer sees the badge turn Final when the expert signs, without reloading', async () => {
    const db = server.node.db;
    const expert = { userId: users.expert, email: 'erin@badges.example', ip: '10.7.0.1' };
    const templateId = (await db.reportTemplate.findFirstOrThrow({ where: { name: 'CT chest', facilityId: null } })).id;
    const { report } = await createReport(getRuntime(), expert, studyUid, { templateId });
    const draft = await saveDraft(getRuntime(), expert, report.id, { baseRevision: report.revision, sections: [{ key: 'impression', text: 'No pulmonary embolism.' }] });

    const page = await openSignedIn(browser, server, users.referrer, `/studies/${studyUid}`);
    const badge = page.locator(`[data-study-report="${studyUid}"] [data-report-status]`);
    await badge.waitFor();
    assert.equal(await badge.getAttribute('data-report-status'), 'NONE', "the expert's draft is not the referrer's to see");
    await page.locator('html[data-report-events="connected"]').waitFor();
    const loads: string[] = [];
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) loads.push(frame.url());
    });

    const url = new URL(`/api/reports/${report.id}/sign`, server.url);
    const { token } = await createSession(db, { userId: users.expert, ttlHours: 1 });
    const signed = await fetch(url, {
      method: 'POST',
      headers: { origin: url.origin, cookie: `${SESSION_COOKIE_NAME}=${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ baseRevision: draft.revision, password: PASSWORD }),
    });
    assert.equal(signed.status, 200, await signed.clone().text());

    await page.locator(`[data-study-report="${studyUid}"] [data-report-status="FINAL"]`).waitFor({ timeout: 15_000 });
    assert.equal((await badge.textContent())?.trim(), 'Final');
    assert.deepEqual(loads, [], 'no reload');
    await screenshot(page, 'report-badges-study');

    const worklist = await openSignedIn(browser, server, users.referrer, '/?report=final');
    const row = worklist.locator('#worklist tbody tr').filter({ hasText: 'BADGE-1' });
    assert.equal((await row.locator('[data-report-status]').textContent())?.trim(), 'Final');
  });
});
