// Issue 12 §4 in the browser: a member of facility B opening facility A's
// study, patient and a teleconsultation they are not invited to sees the same
// "Not found" page as for a made-up address, and A's administrator finds each
// attempt in the audit view, with the DICOM audit event under the action.
// Screenshots go to test-output/e2e/refused-*.png.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { hashPassword } from '../../lib/auth';
import { startConsultation } from '../../lib/consult/consultations';
import { createFacility, createUser } from '../../lib/policy/test-fixtures';
import { launchChromium } from '../support/browser';
import { makeStudy } from '../support/fixtures';
import { stowBody } from '../support/stow';
import { startTestServer, TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD, type TestServer } from '../support/test-server';

const SCREENSHOTS = path.resolve('test-output/e2e');
const PROBER = 'curious@valley.example';
const PROBER_PASSWORD = 'valley clinic passphrase 3';

async function signIn(page: Page, url: string, email: string, password: string) {
  await page.goto(`${url}/sign-in`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${url}/`);
}

/** What a visitor sees of a page: the main content's text, with the asked-for address put back to a neutral one. */
async function visibleText(page: Page, asked: string): Promise<string> {
  return (await page.locator('main').innerText()).replaceAll(asked, '<asked>');
}

describe('refused pages, seen by the owner', { timeout: 10 * 60_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  const study = makeStudy({ patientId: 'HILL-4471', patientName: 'Hill^Marta', series: 1, instancesPerSeries: 1, seed: 'refused-pages' });
  let patientRecordId = '';
  let consultationId = '';

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    server = await startTestServer({ portal: true });
    const db = server.node.db;
    const { body, contentType } = stowBody(study);
    const stored = await fetch(`${server.dicomwebUrl}/studies`, { method: 'POST', headers: { 'content-type': contentType, authorization: server.adminAuthorization }, body: new Uint8Array(body) });
    assert.equal(stored.status, 200);
    patientRecordId = (await db.patient.findFirstOrThrow({ where: { patientId: 'HILL-4471' } })).id;
    const admin = await db.user.findUniqueOrThrow({ where: { email: TEST_ADMIN_EMAIL } });
    const colleague = await createUser(db, { email: 'colleague@demo.example', memberships: [{ facilityId: server.node.firstRun.facilityId, role: 'EXPERT' }] });
    consultationId = (await startConsultation({ db }, { userId: admin.id, email: TEST_ADMIN_EMAIL, ip: '127.0.0.1' }, { studyInstanceUid: study.studyInstanceUid, invitees: [colleague.email] })).id;
    const valley = await createFacility(db, 'Valley Clinic');
    await createUser(db, { email: PROBER, passwordHash: await hashPassword(PROBER_PASSWORD), memberships: [{ facilityId: valley.id, role: 'REFERRING' }] });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("shows B's member the same Not found for A's study, patient and consultation as for made-up ones, and A's administrator sees each attempt", async () => {
    const prober = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await signIn(prober, server.url, PROBER, PROBER_PASSWORD);
    const made = (real: string) => `${real.slice(0, -1)}${(Number.parseInt(real.slice(-1), 36) + 1) % 10}`;
    const probes = [
      { real: `/studies/${study.studyInstanceUid}`, fake: `/studies/${made(study.studyInstanceUid)}` },
      { real: `/patients/${patientRecordId}`, fake: `/patients/${made(patientRecordId)}` },
      { real: `/consultations/${consultationId}`, fake: `/consultations/${made(consultationId)}` },
    ];
    for (const { real, fake } of probes) {
      const realAnswer = await prober.goto(`${server.url}${real}`);
      await prober.screenshot({ path: path.join(SCREENSHOTS, `refused-${real.split('/')[1]}.png`), fullPage: true });
      await prober.getByRole('heading', { name: 'Not found', exact: true }).waitFor();
      const realText = await visibleText(prober, real.split('/').pop()!);
      const fakeAnswer = await prober.goto(`${server.url}${fake}`);
      await prober.getByRole('heading', { name: 'Not found', exact: true }).waitFor();
      assert.equal(realAnswer?.status(), 404, real);
      assert.equal(fakeAnswer?.status(), 404, fake);
      assert.equal(realText, await visibleText(prober, fake.split('/').pop()!), `${real}: nothing tells it from a made-up address`);
      assert.doesNotMatch(realText, /Hill|HILL-4471|Demo Hospital/);
    }
    await prober.context().close();

    const owner = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await signIn(owner, server.url, TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD);
    await owner.goto(`${server.url}/audit?actor=${encodeURIComponent(PROBER)}`);
    await owner.getByRole('heading', { name: 'Audit', level: 1 }).waitFor();
    const rows = owner.locator('tbody tr').filter({ hasText: PROBER });
    await rows.nth(2).waitFor();
    const table = await rows.evaluateAll((elements) => elements.map((row) => Array.from(row.querySelectorAll('td'), (cell) => cell.textContent ?? '')));
    await owner.screenshot({ path: path.join(SCREENSHOTS, 'refused-audit.png'), fullPage: true });
    // Newest first; the action in words, and under it the DICOM audit event (PS3.15 A.5.3)
    assert.deepEqual(
      table.map((cells) => [cells[2], cells[3]]),
      [
        ['Opened a teleconsultationDICOM 110103 DICOM Instances Accessed', 'DENIED'],
        ["Opened a patient's recordDICOM 110110 Patient Record", 'DENIED'],
        ['Opened a studyDICOM 110103 DICOM Instances Accessed', 'DENIED'],
      ],
      'one row per refused page, none for the made-up ones',
    );
    assert.ok(table.every((cells) => cells[4] === 'HILL-4471'), 'each row names the patient it touched');
    await owner.context().close();
  });
});
