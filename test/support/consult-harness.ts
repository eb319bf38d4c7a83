// A teleconsultation to drive from real browsers: a Telepacs node with the
// portal, a CT study of the home facility, a host (the node's administrator),
// an expert of another facility, a colleague of the home facility and an
// outsider, and Chromium with fake camera and microphone. The patient agreed to
// share their images with the region's facilities (issue 16: inviting the
// expert of another facility needs it), unless `consent: false`. Shared by the
// end-to-end tests and bench/collab-latency.ts.
import type { Browser, Page } from 'playwright-core';
import { SESSION_COOKIE_NAME, createSession, hashPassword } from '../../lib/auth';
import { createFacility, createUser } from '../../lib/policy/test-fixtures';
import { launchChromium } from './browser';
import { permitSharing, patientRefOfStudy } from './consent';
import { makeStudy, type FixtureStudy } from './fixtures';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from './test-server';

export const EXPERT_EMAIL = 'expert@valley-clinic.example';
export const COLLEAGUE_EMAIL = 'colleague@telepacs.test';
export const OUTSIDER_EMAIL = 'outsider@valley-clinic.example';
export const CONSULT_PASSWORD = 'consult harness password';

/** Chromium as the e2e tests launch it, with a fake camera and microphone that need no permission prompt. */
export const MEDIA_ARGS = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'];

/**
 * Runs before the page's scripts: this tab may only use TURN-relayed ICE
 * candidates and no TURN server is configured, so no peer connection can be
 * made — a hospital firewall that drops everything but HTTPS, as far as
 * WebRTC can tell.
 */
export const BLOCK_WEBRTC_SCRIPT = `(() => {
  const Native = window.RTCPeerConnection;
  const Blocked = function (config) { return new Native({ ...(config || {}), iceTransportPolicy: 'relay', iceServers: [] }); };
  Blocked.prototype = Native.prototype;
  window.RTCPeerConnection = Blocked;
})();`;

export interface ConsultHarness {
  server: TestServer;
  browser: Browser;
  study: FixtureStudy;
  users: Record<'host' | 'expert' | 'colleague' | 'outsider', { id: string; email: string; name: string }>;
  /** A page of `user` signed in by a fresh session cookie (no sign-in form) */
  openPage(user: keyof ConsultHarness['users'], path: string, options?: { blockWebrtc?: boolean }): Promise<Page>;
  close(): Promise<void>;
}

export async function startConsultHarness(options: { instances?: number; size?: number; consent?: boolean } = {}): Promise<ConsultHarness> {
  const server = await startTestServer({ portal: true });
  const db = server.node.db;
  const admin = await db.user.update({ where: { email: TEST_ADMIN_EMAIL }, data: { name: 'Dr Hana Host' } });
  const home = await db.membership.findFirstOrThrow({ where: { userId: admin.id } });
  const valley = await createFacility(db, 'Valley Clinic');
  const passwordHash = await hashPassword(CONSULT_PASSWORD);
  const named = async (email: string, name: string, facilityId: string, role: 'EXPERT' | 'REFERRING') => {
    const user = await createUser(db, { email, passwordHash, memberships: [{ facilityId, role }] });
    return db.user.update({ where: { id: user.id }, data: { name } });
  };
  const expert = await named(EXPERT_EMAIL, 'Dr Erik Expert', valley.id, 'EXPERT');
  const colleague = await named(COLLEAGUE_EMAIL, 'Dr Cora Colleague', home.facilityId, 'REFERRING');
  const outsider = await named(OUTSIDER_EMAIL, 'Dr Otto Outsider', valley.id, 'REFERRING');
  const size = options.size ?? 128;
  const study = makeStudy({
    patientId: 'TELE-1',
    patientName: 'Consult^Clara',
    studyDescription: 'CT chest',
    seriesDescription: 'Axial',
    series: 2,
    instancesPerSeries: options.instances ?? 12,
    rows: size,
    columns: size,
    seed: 'consult-e2e',
  });
  for (const file of study) await server.node.archive.ingest(file, { kind: 'import', source: 'consult-harness' }, home.facilityId);
  if (options.consent !== false) await permitSharing(db, await patientRefOfStudy(db, study.studyInstanceUid, home.facilityId), { recordedById: admin.id });
  const browser = await launchChromium(MEDIA_ARGS);
  const users = {
    host: { id: admin.id, email: admin.email, name: admin.name },
    expert: { id: expert.id, email: expert.email, name: expert.name },
    colleague: { id: colleague.id, email: colleague.email, name: colleague.name },
    outsider: { id: outsider.id, email: outsider.email, name: outsider.name },
  };
  return {
    server,
    browser,
    study,
    users,
    async openPage(user, path, pageOptions = {}) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
      const { token } = await createSession(db, { userId: users[user].id, ttlHours: 2 });
      await context.addCookies([{ name: SESSION_COOKIE_NAME, value: token, url: server.url }]);
      if (pageOptions.blockWebrtc) await context.addInitScript(BLOCK_WEBRTC_SCRIPT);
      const page = await context.newPage();
      await page.goto(`${server.url}${path}`);
      return page;
    },
    async close() {
      await browser.close();
      await server.stop();
    },
  };
}

/** Waits until the room has joined and its first viewport shows an image. */
export async function waitForRoom(page: Page): Promise<void> {
  await page.getByTestId('session-status').filter({ hasText: 'Connected' }).waitFor({ timeout: 120_000 });
  await page.waitForFunction(
    () => {
      const viewer = (window as unknown as { __telepacsViewer?: { infos(): { imageCount: number; loading: boolean }[] } }).__telepacsViewer;
      const first = viewer?.infos()[0];
      return Boolean(first && first.imageCount > 0 && !first.loading);
    },
    null,
    { timeout: 120_000 },
  );
}
