// The audit view in a real Chromium: an administrator signs in, filters by a
// patient ID with the keyboard, and reads the rows. Screenshots go to
// test-output/e2e/ (desktop and tablet) so a person can look at the page.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser } from 'playwright-core';
import { auditQueueFor } from '../../lib/audit/audit-queue';
import { insertPastAuditEvents } from '../../lib/audit/audit-fixtures';
import { startTestServer, TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD, type TestServer } from '../support/test-server';
import { CHROMIUM, launchChromium } from '../support/browser';

const SCREENSHOTS = path.resolve('test-output/e2e');

describe('audit view in the browser', { timeout: 10 * 60_000, skip: existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}` }, () => {
  let server: TestServer;
  let browser: Browser;

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    server = await startTestServer({ portal: true });
    const facilityId = server.node.firstRun.facilityId;
    const base = Date.parse('2026-11-20T09:00:00Z');
    await insertPastAuditEvents(server.node.db, [
        ...(['dicomweb.qido', 'dicomweb.wado', 'dicomweb.wado'] as const).map((action, n) => ({
          at: new Date(base + n * 60_000),
          actor: 'radiologist@hospital.example',
          action,
          outcome: 'SUCCESS' as const,
          facilityId,
          patientId: 'PAT-7781',
          studyUid: '1.2.826.0.1.3680043.8.498.7781',
          resource: `/dicomweb/studies/1.2.826.0.1.3680043.8.498.7781/series${n ? '/metadata' : ''}`,
          sourceIp: '10.20.1.14',
          details: action === 'dicomweb.qido' ? { level: 'series', results: 3 } : {},
        })),
        { at: new Date(base + 5 * 60_000), actor: 'AE:CT_ROOM2', action: 'dimse.c-store', outcome: 'SUCCESS', facilityId, patientId: 'PAT-7781', studyUid: '1.2.826.0.1.3680043.8.498.7781', sourceIp: '10.20.9.2', details: { stored: 212, duplicates: 0, failed: 0 } },
        { at: new Date(base + 7 * 60_000), actor: 'visitor@clinic.example', action: 'dicomweb.read', outcome: 'DENIED', facilityId, patientId: 'PAT-7781', resource: '/dicomweb/studies/1.2.826.0.1.3680043.8.498.7781/metadata', sourceIp: '10.30.4.4', details: { status: 404 } },
        { at: new Date(base + 9 * 60_000), actor: 'referrer@hospital.example', action: 'dicomweb.wado', outcome: 'SUCCESS', facilityId, patientId: 'PAT-0042', studyUid: '1.2.826.0.1.3680043.8.498.42', sourceIp: '10.20.1.30' },
    ]);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('lets an administrator filter the trail by patient ID and read who opened it', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/sign-in?next=%2Faudit`);
    await page.getByLabel('Email').fill(TEST_ADMIN_EMAIL);
    await page.getByLabel('Password').fill(TEST_ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}/audit`);
    await page.getByRole('heading', { name: 'Audit', level: 1 }).waitFor();
    // Unfiltered: both patients, and the sign-in just made.
    await page.getByRole('cell', { name: 'PAT-0042' }).waitFor();
    // The sign-in just made: in words, by the administrator's name (e-mail under it), from this server
    const signIn = page.locator('tbody tr').filter({ has: page.locator('td[data-label="Action"] span[title="auth.sign_in"]') }).first();
    await signIn.waitFor();
    assert.equal(await signIn.locator('td[data-label="Action"] span').textContent(), 'Signed in', 'in words; the code is in the title');
    assert.equal(await signIn.locator('td[data-label="Who"]').textContent(), `Administrator${TEST_ADMIN_EMAIL}`);
    assert.match((await signIn.locator('td[data-label="From"]').textContent()) ?? '', /^this server \(local\)/);

    // Keyboard only: type into the field and press Enter.
    await page.getByLabel('Patient ID').focus();
    await page.keyboard.type('PAT-7781');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/audit\?.*patientId=PAT-7781/);
    await page.getByRole('status').filter({ hasText: /^5 events$/ }).waitFor();

    const rows = page.locator('tbody tr');
    assert.equal(await rows.count(), 5);
    const table = await rows.evaluateAll((elements) => elements.map((row) => Array.from(row.querySelectorAll('td'), (cell) => cell.textContent ?? '')));
    assert.ok(table.every((cells) => cells[4] === 'PAT-7781'));
    assert.deepEqual(
      // The action in words, and under it the DICOM audit event it is (PS3.15 A.5.3)
      table.map((cells) => cells[2]),
      [
        'Asked to view images (DICOMweb)DICOM 110103 DICOM Instances Accessed',
        'A DICOM device stored imagesDICOM 110104 DICOM Instances Transferred',
        'Viewed images (DICOMweb)DICOM 110103 DICOM Instances Accessed',
        'Viewed images (DICOMweb)DICOM 110103 DICOM Instances Accessed',
        'Searched the archive (DICOMweb)DICOM 110112 Query',
      ],
      'newest first',
    );
    assert.equal(table[0][3], 'DENIED');
    assert.match(table[1][6], /10\.20\.9\.2.*AE CT_ROOM2/);
    assert.equal(table[4][0], '2026-11-20 09:00:00');
    assert.equal(await page.getByLabel('Patient ID').inputValue(), 'PAT-7781', 'the filter stays in the form');
    assert.equal(await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href'), '/api/audit/export?patientId=PAT-7781');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'audit-view.png'), fullPage: true });

    // A tablet in portrait: still usable, the table scrolls sideways inside its own region.
    await page.setViewportSize({ width: 768, height: 1024 });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'audit-view-tablet.png'), fullPage: true });
    const pageOverflows = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(pageOverflows, false, 'the page itself does not scroll sideways on a tablet');
    // A phone: one card per event, each value labelled.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'audit-view-phone.png'), fullPage: true });

    await page.goto(`${server.url}/audit?patientId=NOBODY`);
    await page.getByText('No audit events match these filters.').waitFor();
    await page.goto(`${server.url}/audit?from=2026-02-30`);
    await page.getByRole('alert').filter({ hasText: 'Give a date as YYYY-MM-DD' }).waitFor();
    await context.close();

    await auditQueueFor(server.node.runtime).flush();
    const views = await server.node.db.auditEvent.count({ where: { action: 'audit.view', actor: TEST_ADMIN_EMAIL, patientId: 'PAT-7781' } });
    assert.ok(views >= 1);
  });
});
