// The second factor (issue 12 §8) as people use it, in a real Chromium against
// a real node with the built portal: an administrator turns on an authenticator
// app from the header's account link, keeps the recovery codes shown once,
// signs in again with password then code (a wrong code says so; a recovery
// code works once); then requires a second factor of everyone, and a member
// without one is held on the enrolment step after the password until done.
// The code step and the account page are checked at phone size.
// Screenshots go to test-output/e2e/second-factor-*.png.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Secret, TOTP } from 'otpauth';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { hashPassword } from '../../lib/auth';
import { createUser } from '../../lib/policy/test-fixtures';
import { launchChromium } from '../support/browser';
import { startTestServer, TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD, type TestServer } from '../support/test-server';

const SCREENSHOTS = path.resolve('test-output/e2e');
const PHONE = { width: 390, height: 844 };
const MEMBER_EMAIL = 'nurse.okafor@demo.example';
const MEMBER_PASSWORD = 'okafor ward passphrase 7';

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `second-factor-${name}.png`), fullPage: true });

/** What an authenticator app shows for a key, `steps` periods of 30 s from now (RFC 6238). */
function codeFor(secret: string, steps = 0): string {
  const totp = new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });
  return totp.generate({ timestamp: Date.now() + steps * 30_000 });
}

/** A 6-digit code that no step the server accepts around now can produce. */
function wrongCodeFor(secret: string): string {
  const valid = new Set([-2, -1, 0, 1, 2, 3].map((steps) => codeFor(secret, steps)));
  for (let n = 0; ; n++) {
    const candidate = String(123456 + n * 1111).padStart(6, '0');
    if (!valid.has(candidate)) return candidate;
  }
}

async function pageOverflows(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

async function enterPassword(page: Page, email: string, password: string) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Reads the key shown as text and confirms it with the app's current code; returns the key and the recovery codes shown. */
async function enrolAuthenticator(page: Page, beforeConfirming?: (secret: string) => Promise<void>): Promise<{ secret: string; recoveryCodes: string[] }> {
  await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
  const secret = ((await page.getByTestId('totp-secret').textContent()) ?? '').replace(/\s+/g, '');
  assert.match(secret, /^[A-Z2-7]{32}$/, 'a 160-bit base32 key, typeable');
  await page.getByRole('img', { name: 'QR code of your authenticator secret' }).locator('svg').waitFor();
  // On the phone itself the QR code cannot be scanned: the same key as a link the authenticator app opens.
  const appLink = (await page.getByRole('link', { name: 'Add it to your authenticator app' }).getAttribute('href')) ?? '';
  assert.match(appLink, /^otpauth:\/\/totp\/Telepacs:/);
  assert.equal(new URL(appLink).searchParams.get('secret'), secret);
  await beforeConfirming?.(secret);
  await page.getByLabel('2. Type the 6-digit code the app shows').fill(codeFor(secret));
  await page.getByRole('button', { name: 'Turn on' }).click();
  await page.getByText('Your authenticator app is set up.').waitFor();
  const recoveryCodes = await page.getByTestId('recovery-codes').locator('li').allTextContents();
  return { secret, recoveryCodes };
}

describe('second factor in the browser', { timeout: 10 * 60_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let admin: BrowserContext;
  let adminSecret = '';

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    server = await startTestServer({ portal: true });
    await createUser(server.node.db, {
      email: MEMBER_EMAIL,
      passwordHash: await hashPassword(MEMBER_PASSWORD),
      memberships: [{ facilityId: server.node.firstRun.facilityId, role: 'REFERRING' }],
    });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('enrols an authenticator from the account page, then asks for its code after the password; a recovery code works once', async () => {
    admin = await browser.newContext({ viewport: PHONE });
    const page = await admin.newPage();
    await page.goto(`${server.url}/sign-in`);
    await enterPassword(page, TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD);
    await page.waitForURL(`${server.url}/`);

    // The header's email is the way to one's account.
    await page.getByRole('banner').getByRole('link', { name: TEST_ADMIN_EMAIL }).click();
    await page.waitForURL(`${server.url}/account/security`);
    await page.getByRole('heading', { name: 'Sign-in security', level: 1 }).waitFor();
    await shot(page, 'account-off-phone');
    assert.equal(await pageOverflows(page), 0, 'the account page fits a phone');

    const { secret, recoveryCodes } = await enrolAuthenticator(page, async (key) => {
      await shot(page, 'enrol-phone');
      assert.equal(await pageOverflows(page), 0, 'the QR code and key fit a phone');
      // A mistyped confirmation leaves it off and says so.
      await page.getByLabel('2. Type the 6-digit code the app shows').fill(wrongCodeFor(key));
      await page.getByRole('button', { name: 'Turn on' }).click();
      const complaint = page.getByRole('alert').filter({ hasText: 'That code is not right' });
      await complaint.waitFor();
      await shot(page, 'enrol-wrong-code-phone');
      // Said beside the field, where a phone's screen is when "Turn on" is pressed (not above the QR code, scrolled away)
      assert.equal(await page.getByLabel('2. Type the 6-digit code the app shows').getAttribute('aria-describedby'), await complaint.getAttribute('id'));
      const box = await complaint.boundingBox();
      const top = await page.evaluate(() => window.scrollY);
      assert.ok(box && box.y >= 0 && box.y + box.height <= PHONE.height, `the message is on screen (at ${box?.y}, scrolled ${top})`);
    });
    adminSecret = secret;
    assert.equal(recoveryCodes.length, 10);
    assert.equal(new Set(recoveryCodes).size, 10);
    await shot(page, 'recovery-codes-phone');
    assert.equal(await pageOverflows(page), 0, 'the recovery codes fit a phone');
    await page.getByRole('link', { name: 'Done' }).click();
    await page.getByText(/On since .*: sign-in asks for a code/).waitFor();
    await page.getByText('10 recovery codes left.', { exact: false }).waitFor();
    assert.equal(await page.getByTestId('recovery-codes').count(), 0, 'the recovery codes are shown once');

    // Sign out; the password alone no longer opens the worklist.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in\?signedOut=1/);
    await enterPassword(page, TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD);
    await page.getByText(`Second step for ${TEST_ADMIN_EMAIL}`).waitFor();
    const codeField = page.getByLabel('Code from your authenticator app');
    await page.goto(`${server.url}/`);
    await page.getByText(`Second step for ${TEST_ADMIN_EMAIL}`).waitFor();
    assert.match(page.url(), /\/sign-in\?next=%2F$/, 'the worklist waits for the code');
    await shot(page, 'code-step-phone');
    assert.equal(await pageOverflows(page), 0, 'the code step fits a phone');

    await codeField.fill(wrongCodeFor(secret));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('alert').filter({ hasText: 'That code is not right.' }).waitFor();
    await shot(page, 'wrong-code-phone');
    assert.match(page.url(), /\/sign-in/);

    // The next step's code: the enrolment used this step's, and a used step is refused (replay).
    await codeField.fill(codeFor(secret, 1));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${server.url}/`);
    await page.getByRole('banner').getByText(TEST_ADMIN_EMAIL).waitFor();

    // A lost phone: a recovery code instead, once.
    const context = await browser.newContext({ viewport: PHONE });
    const other = await context.newPage();
    for (const expected of ['worklist', 'refused'] as const) {
      await other.goto(`${server.url}/sign-in`);
      await enterPassword(other, TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD);
      await other.getByLabel('Code from your authenticator app').fill(recoveryCodes[3]);
      await other.getByRole('button', { name: 'Continue' }).click();
      if (expected === 'worklist') {
        await other.waitForURL(`${server.url}/`);
        await other.getByRole('button', { name: 'Sign out' }).click();
        await other.waitForURL(/\/sign-in\?signedOut=1/);
      } else {
        await other.getByRole('alert').filter({ hasText: 'That code is not right.' }).waitFor();
      }
    }
    await context.close();
    await page.goto(`${server.url}/account/security`);
    await page.getByText('9 recovery codes left.', { exact: false }).waitFor();
  });

  it('requires a second factor of everyone: a member without one is held on enrolment after the password until done', async () => {
    assert.ok(adminSecret, 'runs after the administrator has a second factor');
    const page = await admin.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${server.url}/admin/${server.node.firstRun.facilityId}`);
    await page.getByRole('heading', { name: 'Second factor' }).waitFor();
    await page.getByLabel('Everyone in this facility').check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: /^Saved\./ }).waitFor();
    await shot(page, 'policy');
    await page.reload();
    assert.equal(await page.getByLabel('Everyone in this facility').isChecked(), true, 'the choice is kept');
    const memberRow = page.locator(`tr[data-email="${MEMBER_EMAIL}"]`);
    await memberRow.getByText('second factor required, not set up yet').waitFor();

    const member = await (await browser.newContext({ viewport: PHONE })).newPage();
    await member.goto(`${server.url}/sign-in?next=%2Fupload`);
    await enterPassword(member, MEMBER_EMAIL, MEMBER_PASSWORD);
    await member.getByText(`Set up a second factor for ${MEMBER_EMAIL}`).waitFor();
    await shot(member, 'required-enrolment-phone');
    assert.equal(await pageOverflows(member), 0);
    // Nowhere else until done: pages come back here, APIs refuse.
    for (const where of ['/', '/upload', '/account/security', '/consultations']) {
      await member.goto(`${server.url}${where}`);
      await member.getByText(`Set up a second factor for ${MEMBER_EMAIL}`).waitFor();
      assert.match(member.url(), /\/sign-in\?next=/, where);
    }
    const studies = await member.request.get(`${server.url}/dicomweb/studies`);
    assert.equal(studies.status(), 401);

    await member.goto(`${server.url}/sign-in?next=%2Fupload`);
    const { recoveryCodes } = await enrolAuthenticator(member);
    assert.equal(recoveryCodes.length, 10);
    await member.getByRole('link', { name: 'Continue to Telepacs' }).click();
    await member.waitForURL(`${server.url}/upload`);
    await member.getByRole('heading', { name: 'Upload images' }).waitFor();
    await member.context().close();
    await page.reload();
    await memberRow.getByText('second factor on').waitFor();
  });
});
