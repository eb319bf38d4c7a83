// The DICOM peers admin page after issue 12 §1 and §8, at tablet width, on a
// node with DICOM TLS configured: a peer accepted from any address is a
// visible warning; TLS peers carry a badge; the form's TLS and any-address
// checkboxes save what they say; the C-ECHO button says only what DICOM says
// (a TLS echo to DCMTK's storescp +tls succeeds; an open port that is not
// DICOM reads exactly like no peer at all). Screenshots go to
// test-output/e2e/dicom-peers-*.png.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { freePort, startStorescp, type RunningStorescp } from '../support/dcmtk';
import { launchChromium } from '../support/browser';
import { hasDcmtk } from '../support/fixtures';
import { createTestPki, type TestPki } from '../support/test-pki';
import { startTestServer, TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD, type TestServer } from '../support/test-server';

const SCREENSHOTS = path.resolve('test-output/e2e');
const TABLET = { width: 768, height: 1024 };
const skip = hasDcmtk() || process.env.CI ? undefined : 'needs DCMTK (apt-get install -y dcmtk)';

async function overflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

describe('DICOM peers page with DICOM TLS', { timeout: 10 * 60_000, skip }, () => {
  let pki: TestPki;
  let storescp: RunningStorescp;
  let server: TestServer;
  let browser: Browser;
  let tlsPort = 0;

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    pki = createTestPki();
    const ours = pki.issue('TELEPACS');
    storescp = await startStorescp({ aet: 'WARD_TLS', tls: { ca: pki.ca, ...pki.issue('WARD_TLS') } });
    // A real port number, as in production (0 would be shown as "port 0")
    tlsPort = await freePort();
    server = await startTestServer({
      portal: true,
      env: {
        DICOM_TLS_PORT: String(tlsPort),
        DICOM_TLS_CERT: ours.cert,
        DICOM_TLS_KEY: ours.key,
        DICOM_TLS_CA: pki.ca,
        DICOM_PEERS: 'ULTRASOUND_CART@10.0.0.40:104+any-address,CT_SCANNER@10.0.0.5:2762+tls+client-cert',
      },
    });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await storescp?.stop();
    pki?.cleanup();
  });

  it('warns of peers open to any address, badges TLS peers, saves the checkboxes, and echoes with DICOM wording only', async () => {
    const page = await (await browser.newContext({ viewport: TABLET })).newPage();
    await page.goto(`${server.url}/sign-in?next=${encodeURIComponent(`/admin/${server.node.firstRun.facilityId}/dicom-peers`)}`);
    await page.getByLabel('Email').fill(TEST_ADMIN_EMAIL);
    await page.getByLabel('Password').fill(TEST_ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Register a peer' }).waitFor();
    await page.getByText(`DICOM TLS port ${tlsPort}`).first().waitFor();

    const warning = page.getByTestId('any-address-warning');
    assert.match((await warning.textContent()) ?? '', /^Accepted from any address: ULTRASOUND_CART\. Anyone on the network who knows this AE title can query/);
    await page.locator('tr[data-aet="ULTRASOUND_CART"]').getByText('Accepts associations from any address').waitFor();
    assert.equal(await page.locator('tr[data-aet="CT_SCANNER"]').getByTestId('tls-CT_SCANNER').textContent(), 'DICOM TLS, client certificate required');
    assert.equal(await page.locator('tr[data-aet="ULTRASOUND_CART"]').getByTestId('tls-ULTRASOUND_CART').count(), 0);

    // Register the ward's TLS archive; "client certificate" implies TLS.
    await page.getByLabel('AE title').fill('WARD_TLS');
    await page.getByLabel('Host').fill('127.0.0.1');
    await page.getByLabel('Port').fill(String(storescp.port));
    await page.getByLabel('Require its client certificate').check();
    assert.equal(await page.getByLabel('Use DICOM TLS').isChecked(), true);
    assert.equal(await page.getByLabel('Use DICOM TLS').isDisabled(), true);
    await page.getByLabel('Require its client certificate').uncheck();
    await page.getByLabel('Use DICOM TLS').check();
    await page.getByRole('button', { name: 'Register peer' }).click();
    await page.getByRole('status').filter({ hasText: `WARD_TLS registered: it may now connect to TELEPACS on the DICOM TLS port ${tlsPort}.` }).waitFor();
    const ward = page.locator('tr[data-aet="WARD_TLS"]');
    assert.equal(await ward.getByTestId('tls-WARD_TLS').textContent(), 'DICOM TLS');

    // A peer at an open port that is not DICOM (our own web port), accepted from any address on purpose.
    const webPort = new URL(server.url).port;
    await page.getByLabel('AE title').fill('LAPTOP_VIEWER');
    await page.getByLabel('Host').fill('127.0.0.1');
    await page.getByLabel('Port').fill(webPort);
    await page.getByLabel('Accept associations from any address').check();
    await page.getByRole('button', { name: 'Register peer' }).click();
    const laptop = page.locator('tr[data-aet="LAPTOP_VIEWER"]');
    await laptop.getByText('Accepts associations from any address').waitFor();
    await warning.getByText(/^Accepted from any address: (ULTRASOUND_CART, LAPTOP_VIEWER|LAPTOP_VIEWER, ULTRASOUND_CART)\./).waitFor();
    const saved = await server.node.db.dicomPeer.findMany({ orderBy: { aet: 'asc' }, select: { aet: true, tls: true, requireClientCertificate: true, anyAddress: true } });
    assert.deepEqual(saved, [
      { aet: 'LAPTOP_VIEWER', tls: false, requireClientCertificate: false, anyAddress: true },
      { aet: 'WARD_TLS', tls: true, requireClientCertificate: false, anyAddress: false },
    ]);

    await ward.getByRole('button', { name: 'C-ECHO' }).click();
    await laptop.getByRole('button', { name: 'C-ECHO' }).click();
    await page.getByTestId('echo-WARD_TLS').getByText(/^C-ECHO succeeded in \d+ ms$/).waitFor();
    const failed = page.getByTestId('echo-LAPTOP_VIEWER');
    await failed.getByText('No DICOM answer from this peer').waitFor({ timeout: 20_000 });
    // Nothing that tells an open port from a closed one, or names the network error
    assert.equal(await failed.textContent(), 'No DICOM answer from this peer');

    await page.screenshot({ path: path.join(SCREENSHOTS, 'dicom-peers-tablet.png'), fullPage: true });
    assert.equal(await overflow(page), 0, 'the page does not scroll sideways on a tablet');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'dicom-peers-phone.png'), fullPage: true });
    assert.equal(await overflow(page), 0, 'nor on a phone');
    await page.context().close();
  });
});
