// The Content-Security-Policy and the other security headers in a real
// Chromium: the worklist, a study page, OHIF on a study and a live
// teleconsultation (Cornerstone3D workers and WASM codecs, WebRTC between two
// tabs, the socket.io WebSocket, camera and microphone) all work under them,
// with not one CSP violation. A deliberately injected inline script shows the
// policy is enforced and the violations are seen.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page, Response } from 'playwright-core';
import { SESSION_COOKIE_NAME, createSession } from '../../lib/auth';
import { startConsultation } from '../../lib/consult/consultations';
import { ohifViewerUrl } from '../../lib/ohif/viewer-url';
import { CHROMIUM } from '../support/browser';
import { FIXTURES, fixture, fixtureSkipReason } from '../support/fixtures';
import { patientRefOfStudy, permitSharing } from '../support/consent';
import { startConsultHarness, waitForRoom, type ConsultHarness } from '../support/consult-harness';

const skip = existsSync(CHROMIUM) ? fixtureSkipReason('jpeg-ls') ?? false : `Chromium not found at ${CHROMIUM} (apt-get install chromium)`;

/** Waits until a canvas under `selector` shows an image (many lit pixels). */
async function waitForLitCanvas(page: Page, selector: string): Promise<void> {
  await page.waitForFunction(
    (canvasSelector) => {
      return [...document.querySelectorAll<HTMLCanvasElement>(canvasSelector)].some((canvas) => {
        const context = canvas.width ? canvas.getContext('2d', { willReadFrequently: true }) : null;
        if (!context) return false;
        const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
        let lit = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i] > 10) lit += 1;
        return lit > 500;
      });
    },
    selector,
    { timeout: 120_000, polling: 500 },
  );
}

// Runs in every document before its scripts: keeps each CSP violation the page sees.
const COLLECT_VIOLATIONS = `document.addEventListener('securitypolicyviolation', (event) => {
  (window.__cspViolations = window.__cspViolations || []).push(event.effectiveDirective + ' blocked ' + (event.blockedURI || 'inline') + ' at ' + event.sourceFile + ':' + event.lineNumber);
});`;

interface WatchedPage {
  page: Page;
  /** CSP reports from the console (workers included) and violation events */
  violations(): Promise<string[]>;
  /** Every frame request URL, in order */
  frameRequests: string[];
  /** WebSockets the page opened */
  webSockets: string[];
  context: BrowserContext;
}

describe('security headers in the browser', { skip, timeout: 20 * 60_000 }, () => {
  let harness: ConsultHarness;
  let consultationId: string;
  // JPEG-LS: decoded in the browser by Cornerstone's WebAssembly codec (CharLS), in a worker.
  const jpegLsStudyUid = FIXTURES['jpeg-ls'].studyInstanceUid!;

  async function open(user: 'host' | 'expert', path: string): Promise<WatchedPage & { response: Response | null }> {
    const context = await harness.browser.newContext({ viewport: { width: 1400, height: 860 } });
    const { token } = await createSession(harness.server.node.db, { userId: harness.users[user].id, ttlHours: 2 });
    await context.addCookies([{ name: SESSION_COOKIE_NAME, value: token, url: harness.server.url }]);
    await context.addInitScript(COLLECT_VIOLATIONS);
    const page = await context.newPage();
    const consoleReports: string[] = [];
    const frameRequests: string[] = [];
    const webSockets: string[] = [];
    page.on('websocket', (socket) => webSockets.push(socket.url()));
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) consoleReports.push(`console: ${message.text()}`);
    });
    page.on('request', (request) => {
      if (/\/frames\/\d/.test(request.url())) frameRequests.push(request.url());
    });
    const response = await page.goto(`${harness.server.url}${path}`);
    return {
      page,
      context,
      response,
      frameRequests,
      webSockets,
      async violations() {
        const events = await page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []);
        return [...consoleReports, ...events];
      },
    };
  }

  before(async () => {
    harness = await startConsultHarness({ instances: 6 });
    await harness.server.node.archive.ingest(fixture('jpeg-ls'), { kind: 'import', source: 'security-headers e2e' }, harness.server.node.firstRun.facilityId);
    // Its patient agreed to teleconsultation with other facilities (issue 16: the expert is of another one)
    await permitSharing(harness.server.node.db, await patientRefOfStudy(harness.server.node.db, jpegLsStudyUid, harness.server.node.firstRun.facilityId));
    const host = harness.users.host;
    ({ id: consultationId } = await startConsultation(
      harness.server.node,
      { userId: host.id, email: host.email, ip: '127.0.0.1' },
      { studyInstanceUid: jpegLsStudyUid, title: 'CSP check', invitees: [harness.users.expert.email] },
    ));
  });
  after(async () => {
    await harness?.close();
  });

  it('enforces the portal policy with a nonce on every page load, and reports what it blocks', async () => {
    const first = await open('host', '/');
    await first.page.getByRole('heading', { name: 'Worklist' }).waitFor();
    const policy = (await first.response?.allHeaders())?.['content-security-policy'] ?? '';
    const nonce = /'nonce-([^']+)'/.exec(policy)?.[1];
    assert.ok(nonce, `a nonce in the portal's CSP: ${policy}`);
    assert.match(policy, /frame-ancestors 'none'/);
    // Next put the nonce on its inline scripts, or hydration would have been blocked.
    assert.ok(await first.page.locator(`script[nonce]`).count(), 'Next adds the nonce to its scripts');
    assert.deepEqual(await first.violations(), []);
    const again = await first.page.reload();
    assert.notEqual(/'nonce-([^']+)'/.exec((await again?.allHeaders())?.['content-security-policy'] ?? '')?.[1], nonce, 'a fresh nonce per response');

    await first.page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__injected = true';
      document.body.appendChild(script);
    });
    await first.page.waitForFunction(() => ((window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []).length > 0);
    assert.equal(await first.page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected), undefined, 'the injected script did not run');
    await first.context.close();
  });

  it('loads the worklist and a study page (thumbnails) without a CSP violation', async () => {
    const worklist = await open('host', '/');
    await worklist.page.getByText('TELE-1').first().waitFor();
    assert.deepEqual(await worklist.violations(), []);
    await worklist.page.goto(`${harness.server.url}/studies/${harness.study.studyInstanceUid}`);
    await worklist.page.getByText('Start a teleconsultation').waitFor();
    await worklist.page.waitForFunction(() => [...document.querySelectorAll('img')].every((img) => img.complete));
    assert.deepEqual(await worklist.violations(), []);
    await worklist.context.close();
  });

  it('renders a study in OHIF without a CSP violation, each frame fetched once', async () => {
    const viewer = await open('host', ohifViewerUrl(harness.study.studyInstanceUid));
    const policy = (await viewer.response?.allHeaders())?.['content-security-policy'] ?? '';
    assert.match(policy, /'sha256-[^']+'/, `OHIF's inline scripts allowed by hash: ${policy}`);
    assert.doesNotMatch(policy, /'unsafe-eval'|script-src[^;]*'unsafe-inline'/);
    await viewer.page.locator('canvas.cornerstone-canvas').first().waitFor({ timeout: 120_000 });
    await waitForLitCanvas(viewer.page, 'canvas.cornerstone-canvas');
    // Scroll through the series and back: Cornerstone's memory cache, not the
    // HTTP cache (frames are no-store), serves the images seen before.
    await viewer.page.locator('canvas.cornerstone-canvas').first().hover();
    for (const delta of [120, 120, 120, 120, 120, -120, -120, -120, -120, -120]) {
      await viewer.page.mouse.wheel(0, delta);
      await viewer.page.waitForTimeout(150);
    }
    const requested = viewer.frameRequests;
    console.log(`OHIF frame requests: ${requested.length}, distinct: ${new Set(requested).size}`);
    assert.equal(new Set(requested).size, requested.length, `a frame was fetched twice: ${requested.join(' ')}`);
    assert.deepEqual(await viewer.violations(), []);
    await viewer.page.goto(`${harness.server.url}${ohifViewerUrl(jpegLsStudyUid)}`);
    await waitForLitCanvas(viewer.page, 'canvas.cornerstone-canvas');
    assert.deepEqual(await viewer.violations(), []);
    await viewer.context.close();
  });

  it('runs a teleconsultation (workers, WASM codecs, WebRTC, socket.io, camera and microphone) without a CSP violation', async () => {
    const host = await open('host', `/consultations/${consultationId}`);
    const expert = await open('expert', `/consultations/${consultationId}`);
    await waitForRoom(host.page);
    await waitForRoom(expert.page);
    await waitForLitCanvas(host.page, '[data-pane="0"] canvas');
    const linksOf = (page: Page) =>
      page.evaluate(() => (window as unknown as { __telepacsConsult: { snapshot(): { links: { state: string }[] } } }).__telepacsConsult.snapshot().links.map((link) => link.state));
    for (const watched of [host, expert]) {
      await watched.page.waitForFunction(
        () => (window as unknown as { __telepacsConsult: { snapshot(): { links: { state: string }[] } } }).__telepacsConsult.snapshot().links.some((link) => link.state === 'direct'),
        null,
        { timeout: 60_000 },
      );
      assert.deepEqual(await linksOf(watched.page), ['direct'], 'a direct WebRTC link between the two tabs');
      assert.ok(watched.webSockets.some((url) => url.includes('/socket.io/') && url.includes('transport=websocket')), `socket.io over a WebSocket: ${watched.webSockets.join(' ')}`);
      // The room's own camera and microphone (fake devices) reached the page.
      await watched.page.waitForFunction(() => [...document.querySelectorAll('video')].some((video) => video.srcObject instanceof MediaStream && video.srcObject.getTracks().length > 0), null, { timeout: 30_000 });
      assert.deepEqual(await watched.violations(), []);
    }
    await host.context.close();
    await expert.context.close();
  });
});
