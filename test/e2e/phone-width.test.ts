// Pages from the new-user fixes (issue 13 §6) on a phone held upright
// (390×844) in real Chromium: the upload result naming patient and study,
// with a refused file, and the page to change one's password with an error
// under a field. Nothing may be wider than the screen. Screenshots go to
// test-output/e2e/phone-*.png for a person to look at.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { CHROMIUM, launchChromium } from '../support/browser';
import { makeInstance } from '../support/fixtures';
import { openSignedIn, overflowingElements, PHONE, screenshot } from '../support/screens';
import { startTestServer, TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD, type TestServer } from '../support/test-server';

const skip = existsSync(CHROMIUM) ? false : `Chromium not found at ${CHROMIUM} (apt-get install chromium)`;

describe('new-user pages on a phone', { skip, timeout: 15 * 60_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let adminId = '';

  before(async () => {
    server = await startTestServer({ portal: true });
    adminId = (await server.node.db.user.findUniqueOrThrow({ where: { email: TEST_ADMIN_EMAIL } })).id;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('the upload result fits the phone: patient, MRN and study with links, and the refused file with its reason', async () => {
    const work = mkdtempSync(path.join(tmpdir(), 'telepacs-phone-'));
    const study = { patientId: 'MRN-4471203', patientName: 'Keller^Anna', studyDescription: 'CT abdomen with contrast, portal venous phase', seed: 'phone-upload' };
    const files = ['IM000001.dcm', 'IM000002.dcm'].map((name, index) => {
      writeFileSync(path.join(work, name), makeInstance({ ...study, instanceNumber: index + 1 }));
      return path.join(work, name);
    });
    writeFileSync(path.join(work, 'DICOMDIR-notes-from-the-referring-practice.bin'), Buffer.from('this is not a DICOM file at all, just some words'));
    const page = await openSignedIn(browser, server, adminId, '/upload', PHONE);
    await page.locator('input[type=file]:not([webkitdirectory])').setInputFiles([...files, path.join(work, 'DICOMDIR-notes-from-the-referring-practice.bin')]);
    const stored = page.getByTestId('stored-studies');
    await stored.waitFor({ timeout: 60_000 });
    assert.match((await stored.textContent()) ?? '', /Keller, Anna · MRN MRN-4471203 · CT abdomen/);
    await page.getByTestId('failed-files').waitFor();
    assert.deepEqual(await overflowingElements(page), [], 'nothing wider than the phone');
    await screenshot(page, 'phone-upload-result');
  });

  it('the password page fits the phone, with an error under its field', async () => {
    const page = await openSignedIn(browser, server, adminId, '/account/password', PHONE);
    await page.getByLabel('Current password').fill(TEST_ADMIN_PASSWORD);
    await page.getByLabel('New password', { exact: true }).fill('password1234');
    await page.getByLabel('New password again').fill('password1234');
    await page.getByRole('button', { name: 'Change password' }).click();
    // Next's route announcer is a role=alert too: the error is the one in the form
    await page.locator('form').getByRole('alert').filter({ hasText: /\w/ }).first().waitFor();
    assert.deepEqual(await overflowingElements(page), [], 'nothing wider than the phone');
    await screenshot(page, 'phone-password');
  });
});
