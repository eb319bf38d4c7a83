// The OHIF viewer end to end: a real Telepacs node with the built portal and
// the prebuilt OHIF under /ohif, a real Chromium, a real CT study stored by
// STOW-RS. The screenshot in test-output/e2e/ohif-viewer.png is the README's.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { hashPassword } from '../../lib/auth';
import { ohifViewerUrl } from '../../lib/ohif/viewer-url';
import { createFacility, createUser } from '../../lib/policy/test-fixtures';
import { basicAuthHeader } from '../support/dicomweb-client';
import { makeStudy, type FixtureStudy } from '../support/fixtures';
import { stowBody } from '../support/stow';
import { startTestServer, TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD, type TestServer } from '../support/test-server';
import { CHROMIUM, launchChromium } from '../support/browser';

const SCREENSHOTS = path.resolve('test-output/e2e');
const CLINIC_EMAIL = 'doctor@valley-clinic.example';
const CLINIC_PASSWORD = 'valley clinic password 1';

async function store(server: TestServer, study: FixtureStudy, authorization: string): Promise<void> {
  const { body, contentType } = stowBody(study);
  const response = await fetch(`${server.dicomwebUrl}/studies`, {
    method: 'POST',
    headers: { 'content-type': contentType, authorization },
    body: new Uint8Array(body),
  });
  assert.equal(response.status, 200, `STOW-RS: ${response.status} ${await response.text()}`);
}

/** Signs in through the portal's form and waits to be back at `returnTo`. */
async function signInThroughForm(page: Page, server: TestServer, email: string, password: string, returnTo: string): Promise<void> {
  if (!page.url().includes('/sign-in')) await page.goto(`${server.url}/sign-in?next=${encodeURIComponent(returnTo)}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${server.url}${returnTo}`);
}

/** What the viewport canvas shows: how many pixels are not black, and how many grey levels. */
async function viewportPixels(page: Page): Promise<{ width: number; height: number; lit: number; levels: number }> {
  return page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('canvas.cornerstone-canvas');
    if (!canvas || !canvas.width || !canvas.height) return { width: 0, height: 0, lit: 0, levels: 0 };
    // Cornerstone draws each rendered frame onto this 2D canvas.
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) return { width: canvas.width, height: canvas.height, lit: 0, levels: 0 };
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    const levels = new Set<number>();
    let lit = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] + data[i + 1] + data[i + 2] > 30) lit += 1;
      levels.add(data[i]);
    }
    return { width: canvas.width, height: canvas.height, lit, levels: levels.size };
  });
}

const skip = existsSync(CHROMIUM) ? false : `Chromium not found at ${CHROMIUM} (apt-get install chromium)`;

describe('OHIF viewer', { skip, timeout: 15 * 60_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let admin: BrowserContext;
  const ct = makeStudy({
    patientId: 'OHIF-CT-1',
    patientName: 'Viewer^Vera',
    modality: 'CT',
    studyDescription: 'CT chest',
    seriesDescription: 'Axial',
    series: 1,
    instancesPerSeries: 4,
    rows: 256,
    columns: 256,
    seed: 'ohif-e2e-ct',
  });
  const clinicStudy = makeStudy({ patientId: 'OHIF-CLINIC-1', patientName: 'Other^Olga', modality: 'CT', series: 1, instancesPerSeries: 1, seed: 'ohif-e2e-clinic' });

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    server = await startTestServer({ portal: true });
    const clinic = await createFacility(server.node.db, 'Valley Clinic');
    await createUser(server.node.db, {
      email: CLINIC_EMAIL,
      passwordHash: await hashPassword(CLINIC_PASSWORD),
      memberships: [{ facilityId: clinic.id, role: 'REFERRING' }],
    });
    await store(server, ct, server.adminAuthorization);
    await store(server, clinicStudy, basicAuthHeader(CLINIC_EMAIL, CLINIC_PASSWORD));
    browser = await launchChromium();
    admin = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('sends an anonymous visitor of the viewer to the sign-in page, without the viewer shell', async () => {
    const viewer = ohifViewerUrl(ct.studyInstanceUid);
    for (const target of [viewer, '/ohif/', '/ohif/app-config.js', '/ohif/index.html']) {
      const response = await fetch(`${server.url}${target}`, { redirect: 'manual' });
      assert.equal(response.status, 303, target);
      assert.equal(response.headers.get('location'), `/sign-in?next=${encodeURIComponent(target)}`);
      assert.doesNotMatch(await response.text(), /OHIF|app\.bundle/, target);
    }
  });

  it('opens a study from its link after signing in, and renders its image (canvas pixels not blank)', async () => {
    const page = await admin.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const viewer = ohifViewerUrl(ct.studyInstanceUid);
    await page.goto(`${server.url}${viewer}`);
    assert.match(page.url(), /\/sign-in\?next=%2Fohif%2Fviewer%3FStudyInstanceUIDs%3D/);
    await signInThroughForm(page, server, TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD, viewer);

    await page.locator('canvas.cornerstone-canvas').first().waitFor({ timeout: 120_000 });
    let pixels = await viewportPixels(page);
    const deadline = Date.now() + 120_000;
    while ((pixels.lit < 1000 || pixels.levels < 8) && Date.now() < deadline) {
      await page.waitForTimeout(500);
      pixels = await viewportPixels(page);
    }
    await page.waitForTimeout(1000); // thumbnails and overlays settle for the screenshot
    await page.screenshot({ path: path.join(SCREENSHOTS, 'ohif-viewer.png') });
    assert.ok(pixels.width > 100 && pixels.height > 100, `viewport canvas ${pixels.width}x${pixels.height}`);
    assert.ok(pixels.lit >= 1000, `only ${pixels.lit} lit pixels: the image was not rendered (page errors: ${errors.join(' | ')})`);
    assert.ok(pixels.levels >= 8, `only ${pixels.levels} grey levels: not an image`);
    await page.close();
  });

  it("lists in OHIF's study list only the studies the signed-in user may see", async () => {
    const page = await admin.newPage();
    await page.goto(`${server.url}/ohif/`);
    // OHIF lists patients as "Family, Given".
    await page.getByText('Viewer, Vera').first().waitFor({ timeout: 60_000 });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'ohif-study-list.png') });
    assert.equal(await page.getByText('Other, Olga').count(), 0, "another facility's study is listed");
    await page.close();

    // ...and the other facility's doctor sees theirs, not ours.
    const clinic = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const clinicPage = await clinic.newPage();
    await clinicPage.goto(`${server.url}/ohif/`);
    await signInThroughForm(clinicPage, server, CLINIC_EMAIL, CLINIC_PASSWORD, '/ohif/');
    await clinicPage.getByText('Other, Olga').first().waitFor({ timeout: 60_000 });
    assert.equal(await clinicPage.getByText('Viewer, Vera').count(), 0);
    await clinic.close();
  });

  it("serves the viewer's files gzipped, cached for good when their name has a content hash", async () => {
    const cookie = (await admin.cookies()).map(({ name, value }) => `${name}=${value}`).join('; ');
    const index = await fetch(`${server.url}/ohif/viewer`, { headers: { cookie } });
    assert.equal(index.status, 200);
    assert.equal(index.headers.get('cache-control'), 'no-store');
    const html = await index.text();
    const appBundle = html.match(/src="(\/ohif\/app\.bundle\.[0-9a-f]+\.js)"/)?.[1];
    assert.ok(appBundle, 'index.html loads the app bundle from /ohif/');
    const bundle = await fetch(`${server.url}${appBundle}`, { headers: { cookie, 'accept-encoding': 'gzip' } });
    assert.equal(bundle.status, 200);
    assert.equal(bundle.headers.get('content-encoding'), 'gzip');
    assert.equal(bundle.headers.get('cache-control'), 'private, max-age=31536000, immutable');
    assert.match(await bundle.text(), /__webpack_require__\.p = "\/ohif\/";/);
  });

  it('keeps the rest of the portal and the archive where they were', async () => {
    const cookie = (await admin.cookies()).map(({ name, value }) => `${name}=${value}`).join('; ');
    const home = await fetch(`${server.url}/`, { headers: { cookie }, redirect: 'manual' });
    assert.equal(home.status, 200);
    const qido = await fetch(`${server.dicomwebUrl}/studies?PatientID=OHIF-CT-1`, { headers: { cookie } });
    assert.equal(qido.status, 200);
    // A path that leaves the viewer's folder is not served.
    const traversal = await fetch(`${server.url}/ohif/..%2f..%2fpackage.json`, { headers: { cookie } });
    assert.equal(traversal.status, 404);
  });
});
