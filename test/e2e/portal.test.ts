// The portal end to end: a real Telepacs node with the built Next portal, a
// real Chromium, real DICOM files. Screenshots go to test-output/e2e/ so a
// person can look at the pages.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { zipSync } from 'fflate';
import { type Browser } from 'playwright-core';
import { makeInstance } from '../support/fixtures';
import { startTestServer, TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD, type TestServer } from '../support/test-server';
import { launchChromium } from '../support/browser';

const SCREENSHOTS = path.resolve('test-output/e2e');

async function signInByApi(server: TestServer, email: string, password: string, headers: Record<string, string> = {}) {
  return fetch(`${server.url}/api/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ email, password }),
    redirect: 'manual',
  });
}

function sessionCookieOf(response: Response): string {
  const cookie = response.headers.get('set-cookie') ?? '';
  return cookie.split(';')[0];
}

describe('portal', { timeout: 10 * 60_000 }, () => {
  let server: TestServer;
  let browser: Browser;

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    server = await startTestServer({ portal: true });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('answers /api/health without authentication', async () => {
    const response = await fetch(`${server.url}/api/health`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ok' });
  });

  it('sends a signed-out visitor to the sign-in page, keeping where they were going', async () => {
    for (const page of ['/', '/upload']) {
      const response = await fetch(`${server.url}${page}`, { redirect: 'manual' });
      assert.ok([303, 307].includes(response.status), `${page}: ${response.status}`);
      assert.equal(response.headers.get('location'), `/sign-in?next=${encodeURIComponent(page)}`);
    }
  });

  it('signs in over the JSON API with an httpOnly, SameSite=Lax cookie', async () => {
    const wrong = await signInByApi(server, TEST_ADMIN_EMAIL, 'wrong password');
    assert.equal(wrong.status, 401);
    assert.equal(((await wrong.json()) as { error: string }).error, 'INVALID_CREDENTIALS');

    const right = await signInByApi(server, TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD);
    assert.equal(right.status, 200);
    const [setCookie = '', deviceCookie = ''] = right.headers.getSetCookie();
    assert.match(setCookie, /^telepacs_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax$/);
    assert.match(deviceCookie, /^telepacs_device=[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}; Path=\/api\/auth\/sign-in; Max-Age=15552000; HttpOnly; SameSite=Strict$/);
    const home = await fetch(`${server.url}/`, { headers: { cookie: sessionCookieOf(right) } });
    assert.equal(home.status, 200);
    assert.match(await home.text(), /<h1>Worklist<\/h1>/, 'the home page is the worklist');
  });

  it('signs in from a plain HTML form post too (no JavaScript), returning to the page asked for', async () => {
    const form = (password: string) =>
      fetch(`${server.url}/api/auth/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
        body: new URLSearchParams({ email: TEST_ADMIN_EMAIL, password, next: '/upload' }),
        redirect: 'manual',
      });
    const wrong = await form('wrong');
    assert.equal(wrong.status, 303);
    assert.equal(wrong.headers.get('location'), '/sign-in?error=INVALID_CREDENTIALS&next=%2Fupload');
    const right = await form(TEST_ADMIN_PASSWORD);
    assert.equal(right.status, 303);
    assert.equal(right.headers.get('location'), '/upload');
    assert.match(right.headers.get('set-cookie') ?? '', /^telepacs_session=/);
  });

  it('refuses a sign-in posted from another site (login CSRF)', async () => {
    const response = await signInByApi(server, TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD, { origin: 'https://evil.example' });
    assert.equal(response.status, 403);
  });

  it('throttles repeated wrong passwords with 429 and Retry-After', async () => {
    const email = 'nobody@telepacs.test';
    for (let attempt = 0; attempt < 5; attempt += 1) assert.equal((await signInByApi(server, email, `guess-${attempt}`)).status, 401);
    const blocked = await signInByApi(server, email, 'guess-6');
    assert.equal(blocked.status, 429);
    assert.ok(Number(blocked.headers.get('retry-after')) > 0);
  });

  it('signs out only from our own pages, and the session is gone afterwards', async () => {
    const cookie = sessionCookieOf(await signInByApi(server, TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD));
    const crossSite = await fetch(`${server.url}/api/auth/sign-out`, { method: 'POST', headers: { cookie, origin: 'https://evil.example' } });
    assert.equal(crossSite.status, 403);
    const signOut = await fetch(`${server.url}/api/auth/sign-out`, { method: 'POST', headers: { cookie, origin: server.url } });
    assert.equal(signOut.status, 200);
    const home = await fetch(`${server.url}/`, { headers: { cookie }, redirect: 'manual' });
    assert.ok([303, 307].includes(home.status));
  });

  it('signs in in the browser, and tells a wrong password without saying which part was wrong', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${server.url}/upload`);
    assert.match(page.url(), /\/sign-in\?next=%2Fupload$/);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'sign-in.png') });

    await page.getByLabel('Email').fill(TEST_ADMIN_EMAIL);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'The email or password is not correct.' }).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'sign-in-error.png') });

    await page.getByLabel('Password').fill(TEST_ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}/upload`);
    await page.getByRole('heading', { name: 'Upload images' }).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'upload-empty.png') });
    await page.close();
  });

  it('uploads files, a folder and a zip through STOW-RS and reports each file', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/sign-in`);
    await page.getByLabel('Email').fill(TEST_ADMIN_EMAIL);
    await page.getByLabel('Password').fill(TEST_ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}/`);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'home.png') });
    await page.goto(`${server.url}/upload`);

    const work = mkdtempSync(path.join(tmpdir(), 'telepacs-upload-'));
    const study = { patientId: 'E2E-1', accessionNumber: 'E2E-ACC', seed: 'e2e-upload' };
    writeFileSync(path.join(work, 'IM1.dcm'), makeInstance({ ...study, instanceNumber: 1 }));
    writeFileSync(path.join(work, 'notes.bin'), Buffer.from('this is not a DICOM file at all, just some words'));
    writeFileSync(
      path.join(work, 'cd.zip'),
      zipSync({ 'DICOM/IM2': makeInstance({ ...study, instanceNumber: 2 }), DICOMDIR: new Uint8Array([1, 2, 3]) }),
    );
    const folder = path.join(work, 'folder', 'SERIES');
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'IM3'), makeInstance({ ...study, instanceNumber: 3 }));

    await page.locator('input[type=file]:not([webkitdirectory])').setInputFiles([
      path.join(work, 'IM1.dcm'),
      path.join(work, 'notes.bin'),
      path.join(work, 'cd.zip'),
    ]);
    await page.locator('input[webkitdirectory]').setInputFiles(path.join(work, 'folder'));

    const rows = page.locator('tbody tr');
    await rows.nth(4).waitFor();
    await page.waitForFunction(() => !/Waiting|Sending/.test(document.querySelector('tbody')?.textContent ?? 'Waiting'));
    await page.screenshot({ path: path.join(SCREENSHOTS, 'upload-results.png'), fullPage: true });

    const table = await rows.evaluateAll((elements) =>
      elements.map((row) => Array.from(row.querySelectorAll('td'), (cell) => cell.textContent ?? '')),
    );
    const byName = new Map(table.map(([file, status, details]) => [file, { status, details }]));
    assert.equal(byName.get('IM1.dcm')?.status, 'Stored');
    assert.equal(byName.get('cd.zip/DICOM/IM2')?.status, 'Stored');
    assert.equal(byName.get('folder/SERIES/IM3')?.status, 'Stored');
    assert.equal(byName.get('notes.bin')?.status, 'Failed');
    assert.ok(byName.get('notes.bin')?.details, 'a failed file says why');
    assert.equal(byName.get('cd.zip/DICOMDIR')?.status, 'Skipped');

    const stored = await server.node.db.instance.count({ where: { series: { study: { patient: { patientId: 'E2E-1' } } } } });
    assert.equal(stored, 3);

    // The header's sign-out button is a plain form POST (works without JavaScript).
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${server.url}/sign-in?signedOut=1`);
    await page.getByText('You have signed out.').waitFor();
    await page.goto(`${server.url}/upload`);
    assert.match(page.url(), /\/sign-in\?next=/);
    await context.close();
  });
});
