// A live teleconsultation end to end: a real Telepacs node with the built
// portal, real Chromium tabs signed in as different people (host, an expert
// of another facility, a colleague joining late, a guest by link), fake
// camera and microphone, WebRTC on loopback. What each person sees is read
// from their own page: the overlays, the annotation list, the annotations
// Cornerstone draws, the connection shown for each peer.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { CHROMIUM } from '../support/browser';
import { consentNotRequiredFor } from '../support/consent';
import { startConsultHarness, waitForRoom, type ConsultHarness } from '../support/consult-harness';

const SCREENSHOTS = path.resolve('test-output/e2e');
const skip = existsSync(CHROMIUM) ? false : `Chromium not found at ${CHROMIUM} (apt-get install chromium)`;

interface ShownAnnotation {
  uid: string;
  tool: string;
  points: [number, number, number][];
  locked: boolean;
  text?: string;
}

const shownAnnotations = (page: Page) =>
  page.evaluate(() => (window as unknown as { __telepacsViewer: { annotations(): ShownAnnotation[] } }).__telepacsViewer.annotations());
const links = (page: Page) =>
  page.evaluate(() => (window as unknown as { __telepacsConsult: { snapshot(): { links: { peerId: string; state: string }[] } } }).__telepacsConsult.snapshot().links);

/** A participant's session colour as the browser computes CSS colours ('#38bdf8' → 'rgb(56, 189, 248)'). */
async function colorOf(page: Page, userId: string): Promise<string> {
  const hex = (await page.locator(`[data-user="${userId}"]`).getAttribute('data-color')) ?? '';
  const [r, g, b] = [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16));
  return `rgb(${r}, ${g}, ${b})`;
}

async function overlay(page: Page, what: 'image-index' | 'window' | 'zoom', pane = 0): Promise<string> {
  return (await page.getByTestId(`${what}-${pane}`).textContent()) ?? '';
}

async function waitForOverlay(page: Page, what: 'image-index' | 'window' | 'zoom', pattern: RegExp, pane = 0): Promise<void> {
  await page.getByTestId(`${what}-${pane}`).filter({ hasText: pattern }).waitFor({ timeout: 20_000 });
}

/** Drags with a measurement tool across the first pane, between two points given in fractions of the pane. */
async function draw(page: Page, tool: string, from: [number, number], to: [number, number]): Promise<void> {
  await page.getByRole('button', { name: tool, exact: true }).click();
  const box = await page.locator('[data-pane="0"]').boundingBox();
  assert.ok(box, 'the first pane is on screen');
  const at = (point: [number, number]) => [box.x + box.width * point[0], box.y + box.height * point[1]] as const;
  await page.mouse.move(...at(from));
  await page.mouse.down();
  for (let step = 1; step <= 8; step++) {
    await page.mouse.move(at(from)[0] + ((at(to)[0] - at(from)[0]) * step) / 8, at(from)[1] + ((at(to)[1] - at(from)[1]) * step) / 8);
  }
  await page.mouse.up();
}

async function waitForAnnotation(page: Page, predicate: (annotation: ShownAnnotation) => boolean, timeout = 20_000): Promise<ShownAnnotation> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const found = (await shownAnnotations(page)).find(predicate);
    if (found) return found;
    if (Date.now() > deadline) throw new Error('the annotation did not appear');
    await page.waitForTimeout(100);
  }
}

/** Waits (while drawing updates and the final version arrive) until `page` shows annotation `uid` as `expected`, then asserts it. */
async function waitForSameGeometry(page: Page, expected: ShownAnnotation, timeout = 20_000): Promise<void> {
  const same = (annotation: ShownAnnotation) =>
    annotation.points.length === expected.points.length && annotation.points.every((point, index) => point.every((value, axis) => Math.abs(value - expected.points[index][axis]) < 1e-6));
  const deadline = Date.now() + timeout;
  let shown = await waitForAnnotation(page, (annotation) => annotation.uid === expected.uid, timeout);
  while (!same(shown) && Date.now() < deadline) {
    await page.waitForTimeout(100);
    shown = (await shownAnnotations(page)).find((annotation) => annotation.uid === expected.uid) ?? shown;
  }
  assertSameGeometry(shown, expected);
}

function assertSameGeometry(actual: ShownAnnotation, expected: ShownAnnotation): void {
  assert.equal(actual.tool, expected.tool);
  assert.equal(actual.points.length, expected.points.length);
  actual.points.forEach((point, index) => point.forEach((value, axis) => assert.ok(Math.abs(value - expected.points[index][axis]) < 1e-6, `point ${index} axis ${axis}: ${value} vs ${expected.points[index][axis]}`)));
}

describe('live teleconsultation', { skip, timeout: 20 * 60_000 }, () => {
  let harness: ConsultHarness;
  let host: Page;
  let expert: Page;
  let colleague: Page;
  let consultationId: string;
  let lengthUid: string;

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    harness = await startConsultHarness();
  });
  after(async () => {
    await harness?.close();
  });

  it('the host starts a session from the study page and invites an expert of another facility and a colleague', async () => {
    host = await harness.openPage('host', `/studies/${harness.study.studyInstanceUid}`);
    await host.getByText('Start a teleconsultation').click();
    await host.getByLabel('Title').fill('Second opinion: chest CT');
    for (const user of [harness.users.expert, harness.users.colleague]) {
      await host.getByLabel(/Invite colleagues/).fill(user.email);
      await host.getByRole('button', { name: 'Add', exact: true }).click();
    }
    await host.getByRole('button', { name: 'Start and open the session' }).click();
    await host.waitForURL(/\/consultations\/[^/]+$/, { timeout: 60_000 });
    consultationId = new URL(host.url()).pathname.split('/').pop()!;
    await waitForRoom(host);
    assert.match((await host.getByTestId('presenter').textContent()) ?? '', /You are presenting/);
    const started = await harness.server.node.db.auditEvent.findFirst({ where: { action: 'consult.start', resource: `consultations/${consultationId}` } });
    assert.equal(started?.patientId, 'TELE-1');
  });

  it('the expert joins; a WebRTC data channel opens between the two tabs', async () => {
    expert = await harness.openPage('expert', `/consultations/${consultationId}`);
    await waitForRoom(expert);
    for (const page of [host, expert]) {
      await page.waitForFunction(
        () => (window as unknown as { __telepacsConsult: { snapshot(): { links: { state: string }[] } } }).__telepacsConsult.snapshot().links.some((link) => link.state === 'direct'),
        null,
        { timeout: 30_000 },
      );
      await page.getByTestId('link').filter({ hasText: /^direct/ }).first().waitFor();
    }
    assert.deepEqual((await links(expert)).map((link) => link.state), ['direct']);
    // The expert of the other facility reads the study's images through the session
    assert.match(await overlay(expert, 'image-index'), /^Im 1\/12$/);
    assert.match((await expert.getByTestId('presenter').textContent()) ?? '', /Dr Hana Host is presenting/);
    const joined = await harness.server.node.db.auditEvent.findFirst({ where: { action: 'consult.join', actorUserId: harness.users.expert.id } });
    assert.ok(joined, 'the join is audited');
  });

  it("each sees and hears the other: the host's camera plays at the expert, muting shows at once", async () => {
    const hostTile = expert.locator(`[data-user="${harness.users.host.id}"]`);
    await hostTile.locator('video').waitFor({ timeout: 30_000 });
    await expert.waitForFunction(
      (userId) => {
        const video = document.querySelector<HTMLVideoElement>(`[data-user="${userId}"] video`);
        return Boolean(video && video.videoWidth > 0 && !video.paused);
      },
      harness.users.host.id,
      { timeout: 30_000 },
    );
    assert.match((await hostTile.textContent()) ?? '', /mic on/);
    // Chromium's fake microphone beeps: once the expert has clicked in the page (browsers hold
    // sound until then), the expert sees the host speaking
    await expert.getByRole('heading', { name: 'People' }).click();
    await hostTile.filter({ hasText: 'speaking' }).waitFor({ timeout: 30_000 });
    await host.getByRole('button', { name: 'Mute' }).click();
    await hostTile.filter({ hasText: 'muted' }).waitFor({ timeout: 10_000 });
    await host.getByRole('button', { name: 'Camera off' }).click();
    await hostTile.filter({ hasText: 'camera off' }).waitFor({ timeout: 10_000 });
    await host.getByRole('button', { name: 'Unmute' }).click();
    await host.getByRole('button', { name: 'Camera on' }).click();
    await hostTile.filter({ hasText: 'mic on' }).filter({ hasText: 'camera on' }).waitFor({ timeout: 10_000 });
    // Device selection lists the (fake) devices; choosing one switches the tracks on the connection
    await host.getByRole('button', { name: 'Devices' }).click();
    const cameras = host.getByRole('combobox', { name: /^Camera/ });
    await cameras.locator('option').first().waitFor({ state: 'attached' });
    const cameraIds = await cameras.locator('option').evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value));
    assert.ok(cameraIds.length >= 1 && cameraIds[0] !== '', `cameras listed: ${cameraIds.join(', ')}`);
    await cameras.selectOption(cameraIds[cameraIds.length - 1]);
    await expert.waitForFunction(
      (userId) => {
        const video = document.querySelector<HTMLVideoElement>(`[data-user="${userId}"] video`);
        return Boolean(video && video.videoWidth > 0 && !video.paused);
      },
      harness.users.host.id,
      { timeout: 20_000 },
    );
    assert.match((await hostTile.textContent()) ?? '', /camera on/);
  });

  it("the presenter's laser pointer shows at the expert, in the presenter's colour", async () => {
    await host.getByRole('button', { name: 'Laser', exact: true }).click();
    const box = (await host.locator('[data-pane="0"]').boundingBox())!;
    for (let step = 0; step < 5; step++) await host.mouse.move(box.x + box.width * (0.4 + step * 0.02), box.y + box.height * 0.5);
    const laser = expert.locator('[data-pane="0"] [data-testid="laser"]');
    await laser.waitFor({ timeout: 10_000 });
    assert.equal(await laser.evaluate((element) => (element as HTMLElement).style.color), await colorOf(expert, harness.users.host.id));
    await host.getByRole('button', { name: 'W/L', exact: true }).click();
  });

  it('the presenter scrolls and changes window/level; the expert follows', async () => {
    for (let step = 0; step < 4; step++) await host.keyboard.press('ArrowDown');
    await host.getByLabel('Window preset').selectOption('Lung');
    await waitForOverlay(host, 'image-index', /^Im 5\/12$/);
    await waitForOverlay(expert, 'image-index', /^Im 5\/12$/);
    await waitForOverlay(expert, 'window', /W 1500 L -600/);
    // Another series in the presenter's viewport: the follower shows it too
    await host.getByRole('button', { name: /CT 2 · Axial 2/ }).click();
    await waitForOverlay(expert, 'image-index', /^Im 1\/12$/);
    const [hostState, expertState] = await Promise.all(
      [host, expert].map((page) => page.evaluate(() => (window as unknown as { __telepacsViewer: { state(): { viewports: { seriesInstanceUid: string }[] } } }).__telepacsViewer.state())),
    );
    assert.equal(expertState.viewports[0].seriesInstanceUid, harness.study.seriesInstanceUids[1]);
    assert.equal(hostState.viewports[0].seriesInstanceUid, expertState.viewports[0].seriesInstanceUid);
    await host.getByRole('button', { name: /CT 1 · Axial 1/ }).click();
    await waitForOverlay(expert, 'image-index', /^Im 1\/12$/);
    for (let step = 0; step < 4; step++) await host.keyboard.press('ArrowDown');
    await waitForOverlay(expert, 'image-index', /^Im 5\/12$/);
    // Layout: 2×2 at the presenter is 2×2 at the follower, the second pane showing the second series
    await host.getByRole('button', { name: '2×2' }).click();
    await expert.locator('[data-layout="2x2"]').waitFor({ timeout: 10_000 });
    await waitForOverlay(expert, 'image-index', /^Im 1\/12$/, 1);
    await host.getByRole('button', { name: '1×1' }).click();
    await expert.locator('[data-layout="1x1"]').waitFor({ timeout: 10_000 });
    // Zoom (dragging with the Zoom tool) and the follower's zoom
    await host.getByRole('button', { name: 'Zoom', exact: true }).click();
    const box = (await host.locator('[data-pane="0"]').boundingBox())!;
    await host.mouse.move(box.x + box.width / 2, box.y + box.height * 0.6);
    await host.mouse.down();
    for (let step = 1; step <= 6; step++) await host.mouse.move(box.x + box.width / 2, box.y + box.height * (0.6 - step * 0.03));
    await host.mouse.up();
    const zoomed = await overlay(host, 'zoom');
    assert.notEqual(zoomed, 'Zoom 100%', 'the presenter zoomed');
    await waitForOverlay(expert, 'zoom', new RegExp(`^${zoomed}$`));
    await host.getByRole('button', { name: 'Reset' }).click();
    await waitForOverlay(expert, 'zoom', /^Zoom 100%$/);
    // The series' own window, as the image says it (2000/0; PS3.3 C.11.2.1.2.1, lib/collab/window-level.ts)
    await waitForOverlay(expert, 'window', /^W 2000 L 0$/);
    await host.getByLabel('Window preset').selectOption('Lung');
    await waitForOverlay(expert, 'window', /W 1500 L -600/);
    await host.getByRole('button', { name: 'W/L', exact: true }).click();
  });

  it("an annotation the expert draws appears at the host as it is, in the expert's colour, and is kept", async () => {
    await draw(expert, 'Length', [0.3, 0.3], [0.6, 0.55]);
    const drawn = (await shownAnnotations(expert)).find((annotation) => annotation.tool === 'Length' && !annotation.locked);
    assert.ok(drawn, 'the expert sees their own length');
    lengthUid = drawn.uid;
    // Once kept by the server it is listed; by then the host shows it where the expert's hand stopped
    const item = host.getByTestId('annotation-list').locator(`li[data-uid="${lengthUid}"]`);
    await item.waitFor({ timeout: 20_000 });
    await waitForSameGeometry(host, drawn);
    const atHost = await waitForAnnotation(host, (annotation) => annotation.uid === lengthUid);
    assert.equal(atHost.locked, true, "someone else's annotation is not editable at the host");
    assert.match((await item.textContent()) ?? '', /^Length \d+(\.\d)? mmDr Erik Expert/);
    const dotColor = await item.locator('span').first().evaluate((element) => getComputedStyle(element).backgroundColor);
    assert.equal(dotColor, await colorOf(host, harness.users.expert.id), "the list shows the author's colour");
    // The author drags an end of it: the host follows the edit, and the kept version grows
    const box = (await expert.locator('[data-pane="0"]').boundingBox())!;
    await expert.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.55);
    await expert.mouse.down();
    for (let step = 1; step <= 5; step++) await expert.mouse.move(box.x + box.width * (0.6 + step * 0.02), box.y + box.height * (0.55 - step * 0.02));
    await expert.mouse.up();
    const edited = (await shownAnnotations(expert)).find((annotation) => annotation.uid === lengthUid)!;
    assert.notDeepEqual(edited.points, drawn.points, 'the handle moved');
    await waitForSameGeometry(host, edited);
    // Kept once the handles have been still a moment
    let row = await harness.server.node.db.consultationAnnotation.findUnique({ where: { id: lengthUid } });
    for (let wait = 0; (row?.version ?? 0) < 2 && wait < 100; wait++) {
      await expert.waitForTimeout(100);
      row = await harness.server.node.db.consultationAnnotation.findUnique({ where: { id: lengthUid } });
    }
    assert.ok((row?.version ?? 0) >= 2, `kept version ${row?.version}`);
    assert.equal(row?.toolName, 'Length');
    assert.equal(row?.authorUserId, harness.users.expert.id);
    // Drawing broke the expert away from following; the host's scroll no longer moves them
    await expert.getByRole('button', { name: 'Follow presenter' }).waitFor({ timeout: 10_000 });
    await host.keyboard.press('ArrowDown');
    await waitForOverlay(host, 'image-index', /^Im 6\/12$/);
    await expert.waitForTimeout(500);
    assert.match(await overlay(expert, 'image-index'), /^Im 5\/12$/);
    await expert.getByRole('button', { name: 'Follow presenter' }).click();
    await waitForOverlay(expert, 'image-index', /^Im 6\/12$/);
  });

  it('a colleague joining late gets the annotations and the presenter’s view from the server; three tabs stay in sync', async () => {
    colleague = await harness.openPage('colleague', `/consultations/${consultationId}`);
    await waitForRoom(colleague);
    await waitForOverlay(colleague, 'image-index', /^Im 6\/12$/);
    // (the presenter's window is the series' own again since they changed series)
    const hostWindow = await overlay(host, 'window');
    assert.match(hostWindow, /^W \d+ L -?\d+$/);
    await waitForOverlay(colleague, 'window', new RegExp(`^${hostWindow}$`));
    await waitForSameGeometry(colleague, (await shownAnnotations(expert)).find((annotation) => annotation.uid === lengthUid)!);
    await colleague.waitForFunction(
      () => (window as unknown as { __telepacsConsult: { snapshot(): { links: { state: string }[] } } }).__telepacsConsult.snapshot().links.filter((link) => link.state === 'direct').length === 2,
      null,
      { timeout: 30_000 },
    );
    // The host draws an arrow with text: both others see it
    await draw(host, 'Arrow', [0.7, 0.2], [0.55, 0.35]);
    await host.getByRole('textbox', { name: 'Text at the arrow' }).fill('nodule?');
    await host.getByRole('button', { name: 'Add', exact: true }).click();
    for (const page of [expert, colleague]) {
      const arrow = await waitForAnnotation(page, (annotation) => annotation.tool === 'ArrowAnnotate' && annotation.text === 'nodule?');
      assert.equal(arrow.locked, true);
    }
    await host.keyboard.press('ArrowUp');
    for (const page of [expert, colleague]) await waitForOverlay(page, 'image-index', /^Im 5\/12$/);
    await host.screenshot({ path: path.join(SCREENSHOTS, 'consult-host.png') });
  });

  it('an angle and a freehand ROI drawn by the presenter appear at both others, with their measurements', async () => {
    const box = (await host.locator('[data-pane="0"]').boundingBox())!;
    const at = (x: number, y: number) => [box.x + box.width * x, box.y + box.height * y] as const;
    // Angle: drag the first arm, then click the end of the second
    await host.getByRole('button', { name: 'Angle', exact: true }).click();
    await host.getByRole('button', { name: 'Angle', exact: true, pressed: true }).waitFor({ timeout: 10_000 });
    await host.mouse.move(...at(0.2, 0.7));
    await host.mouse.down();
    await host.mouse.move(...at(0.3, 0.85), { steps: 6 });
    await host.mouse.up();
    await host.mouse.move(...at(0.42, 0.72), { steps: 6 });
    await host.mouse.down();
    await host.mouse.up();
    // Finished (and kept) before the next tool starts: on a busy machine the click can be taken
    // as one more move of the second arm, so click again if the angle is still being drawn
    const list = host.getByTestId('annotation-list');
    const angleItem = list.locator('li', { hasText: /^Angle/ });
    if (!(await angleItem.waitFor({ timeout: 3_000 }).then(() => true, () => false))) {
      await host.mouse.move(...at(0.43, 0.72), { steps: 2 });
      await host.mouse.down();
      await host.mouse.up();
    }
    await angleItem.waitFor({ timeout: 10_000 });
    await host.getByRole('button', { name: 'Freehand', exact: true }).click();
    // The tool taken before the first press: on a busy machine a press that reaches the previous
    // tool leaves the loop drawn from a later point, an open contour without statistics
    await host.getByRole('button', { name: 'Freehand', exact: true, pressed: true }).waitFor({ timeout: 10_000 });
    // A closed loop on a free part of the image (not on another annotation's handle)
    const center = [0.7, 0.86];
    await host.mouse.move(...at(center[0] + 0.05, center[1]));
    await host.mouse.down();
    for (let step = 1; step <= 24; step++) {
      const angle = (step / 24) * 2 * Math.PI;
      await host.mouse.move(...at(center[0] + 0.05 * Math.cos(angle), center[1] + 0.05 * Math.sin(angle)));
    }
    await host.mouse.up();
    await host.getByRole('button', { name: 'W/L', exact: true }).click();
    assert.match((await angleItem.textContent()) ?? '', /^Angle \d+(\.\d)?°/);
    const freehand = list.locator('li', { hasText: /^Freehand/ });
    await freehand.waitFor({ timeout: 20_000 });
    // The statistics come once the ROI is complete and its pixels read: seconds on a busy machine
    await host.waitForFunction(() => /mean/.test([...document.querySelectorAll('[data-testid="annotation-list"] li')].map((li) => li.textContent).join(' ')), null, { timeout: 30_000 }).catch(() => undefined);
    assert.match((await freehand.textContent()) ?? '', /^Freehand · area \d+(\.\d)? mm² · mean -?\d+(\.\d)? ± \d+(\.\d)? HU/);
    for (const tool of ['Angle', 'PlanarFreehandROI']) {
      const atHost = (await shownAnnotations(host)).find((annotation) => annotation.tool === tool)!;
      assert.ok(atHost, `${tool} at the host`);
      if (tool === 'Angle') assert.equal(atHost.points.length, 3);
      for (const page of [expert, colleague]) await waitForSameGeometry(page, atHost);
    }
    // The README's picture: what the colleague sees (docs/images/teleconsultation.png)
    await colleague.waitForTimeout(500);
    await colleague.screenshot({ path: path.join(SCREENSHOTS, 'consult-colleague.png') });
  });

  it('the presenter role is asked for and handed over; the new presenter leads', async () => {
    await colleague.getByRole('button', { name: 'Ask to present' }).click();
    await host.getByText('Dr Cora Colleague asks to present').waitFor({ timeout: 10_000 });
    await host.getByRole('button', { name: 'Hand over' }).click();
    await colleague.getByTestId('presenter').filter({ hasText: 'You are presenting' }).waitFor({ timeout: 10_000 });
    await host.getByTestId('presenter').filter({ hasText: 'Dr Cora Colleague is presenting' }).waitFor();
    for (let step = 0; step < 3; step++) await colleague.keyboard.press('ArrowDown');
    for (const page of [host, expert]) await waitForOverlay(page, 'image-index', /^Im 8\/12$/);
    // The host takes it back
    await host.getByRole('button', { name: 'Take over presenting' }).click();
    await host.getByTestId('presenter').filter({ hasText: 'You are presenting' }).waitFor({ timeout: 10_000 });
  });

  it('saves the annotations into the archive as a DICOM SR, from the session', async () => {
    await host.getByRole('button', { name: 'Save annotations as DICOM SR' }).click();
    await host.getByText(/Saved to the archive as a structured report \(4 annotations\)/).waitFor({ timeout: 30_000 });
    const response = await fetch(`${harness.server.dicomwebUrl}/studies/${harness.study.studyInstanceUid}/series?Modality=SR`, {
      headers: { authorization: harness.server.adminAuthorization, accept: 'application/dicom+json' },
    });
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as unknown[]).length, 1);
  });

  it('deleting an annotation removes it everywhere', async () => {
    const item = expert.getByTestId('annotation-list').locator(`li[data-uid="${lengthUid}"]`);
    await item.getByRole('button', { name: /^Delete/ }).click();
    for (const page of [host, colleague]) {
      await page.waitForFunction((uid) => !(window as unknown as { __telepacsViewer: { annotations(): { uid: string }[] } }).__telepacsViewer.annotations().some((annotation) => annotation.uid === uid), lengthUid, { timeout: 20_000 });
      assert.equal(await page.locator(`li[data-uid="${lengthUid}"]`).count(), 0);
    }
    const row = await harness.server.node.db.consultationAnnotation.findUnique({ where: { id: lengthUid } });
    assert.ok(row?.deletedAt, 'kept as deleted, so that a late edit cannot revive it');
  });

  it('a participant whose connection drops gets what they missed from the server when it comes back', async () => {
    const consult = harness.server.node.runtime.io!.of('/consult');
    const expertSockets = [...consult.sockets.values()].filter((socket) => socket.data.userId === harness.users.expert.id);
    assert.ok(expertSockets.length > 0);
    // The network under the expert's tab goes away (the transport closes; socket.io reconnects by itself)
    for (const socket of expertSockets) socket.conn.close();
    await host.keyboard.press('ArrowDown');
    await host.keyboard.press('ArrowDown');
    await draw(host, 'Rectangle', [0.6, 0.6], [0.75, 0.75]);
    const rectangle = await waitForAnnotation(host, (annotation) => annotation.tool === 'RectangleROI');
    const hostIndex = await overlay(host, 'image-index');
    await expert.getByTestId('session-status').filter({ hasText: 'Connected' }).waitFor({ timeout: 30_000 });
    await waitForOverlay(expert, 'image-index', new RegExp(`^${hostIndex}$`));
    await host.getByTestId('annotation-list').locator(`li[data-uid="${rectangle.uid}"]`).waitFor({ timeout: 20_000 });
    await waitForSameGeometry(expert, (await shownAnnotations(host)).find((annotation) => annotation.uid === rectangle.uid)!);
  });

  it('with WebRTC blocked, the session falls back to the server relay, visibly, and stays in sync', async () => {
    await expert.context().close();
    expert = await harness.openPage('expert', `/consultations/${consultationId}`, { blockWebrtc: true });
    await waitForRoom(expert);
    await expert.getByTestId('relay-notice').waitFor({ timeout: 30_000 });
    await expert.waitForFunction(
      () => (window as unknown as { __telepacsConsult: { snapshot(): { links: { state: string }[] } } }).__telepacsConsult.snapshot().links.every((link) => link.state === 'relay'),
      null,
      { timeout: 30_000 },
    );
    const shown = Number(/^Im (\d+)\/12$/.exec(await overlay(host, 'image-index'))?.[1]);
    await waitForOverlay(expert, 'image-index', new RegExp(`^Im ${shown}/12$`));
    await host.keyboard.press('ArrowUp');
    await host.keyboard.press('ArrowUp');
    await waitForOverlay(host, 'image-index', new RegExp(`^Im ${shown - 2}/12$`));
    await waitForOverlay(expert, 'image-index', new RegExp(`^Im ${shown - 2}/12$`));
    await host.getByLabel('Window preset').selectOption('Bone');
    await waitForOverlay(expert, 'window', /W 2500 L 480/);
    await draw(host, 'Ellipse', [0.35, 0.35], [0.5, 0.5]);
    const ellipse = await waitForAnnotation(host, (annotation) => annotation.tool === 'EllipticalROI');
    await host.getByTestId('annotation-list').locator(`li[data-uid="${ellipse.uid}"]`).waitFor({ timeout: 20_000 });
    await waitForSameGeometry(expert, (await shownAnnotations(host)).find((annotation) => annotation.uid === ellipse.uid)!);
    await expert.screenshot({ path: path.join(SCREENSHOTS, 'consult-relayed.png') });
  });

  it('an outsider gets "not found", page and socket alike, even with the session id', async () => {
    const outsider = await harness.openPage('outsider', `/consultations/${consultationId}`);
    // The not-found page can stream in after the load event: wait for it, then count
    await outsider.getByRole('heading', { name: /not found/i }).first().waitFor({ timeout: 10_000 });
    assert.equal(await outsider.getByRole('heading', { name: /not found/i }).count(), 1);
    const response = await outsider.request.get(`${harness.server.url}/consultations/${consultationId}`);
    assert.equal(response.status(), 404);
    const api = await outsider.request.get(`${harness.server.url}/api/consultations/${consultationId}`);
    assert.equal(api.status(), 404);
    // Nor can they read the study the session grants to its participants
    const qido = await outsider.request.get(`${harness.server.dicomwebUrl}/studies?StudyInstanceUID=${harness.study.studyInstanceUid}`);
    assert.ok([200, 204].includes(qido.status()));
    assert.equal(qido.status() === 204 ? 0 : ((await qido.json()) as unknown[]).length, 0);
    await outsider.context().close();
  });

  it('a guest expert without an account joins by a one-time link, once', async () => {
    // The facility invites guests to its teleconsultations: no consent can name a guest, so its
    // admin does not require consent for teleconsultations
    await consentNotRequiredFor(harness.server.node.db, harness.server.node.firstRun.facilityId, ['TELECONSULTATION']);
    await host.getByRole('button', { name: 'Invite a guest by link…' }).click();
    await host.getByLabel("Guest's name").fill('Prof. Gina Guest');
    await host.getByRole('button', { name: 'Make a one-time link' }).click();
    const link = (await host.locator('[role="status"] div').filter({ hasText: '/guest/' }).textContent())!.trim();
    const guestContext = await harness.browser.newContext({ viewport: { width: 1400, height: 860 } });
    const guest = await guestContext.newPage();
    await guest.goto(link);
    await guest.getByRole('button', { name: /Join/ }).click();
    await guest.waitForURL(new RegExp(`/consultations/${consultationId}$`), { timeout: 60_000 });
    await waitForRoom(guest);
    await host.locator('[data-testid="person"]', { hasText: 'Prof. Gina Guest' }).filter({ hasText: 'here' }).waitFor({ timeout: 20_000 });
    assert.equal(await guest.getByRole('button', { name: 'Save annotations as DICOM SR' }).count(), 0, 'a guest does not export');
    // The link is spent: another browser gets a clear refusal
    const second = await harness.browser.newContext();
    const again = await second.newPage();
    await again.goto(link);
    assert.match((await again.locator('main').textContent()) ?? '', /already been used/);
    await second.close();
    // Withdrawn after use: the guest is let go at once, the open page says so
    await host.getByRole('list', { name: 'Guest links' }).getByRole('button', { name: 'Withdraw' }).click();
    await guest.getByText('Your access to this teleconsultation has ended.').waitFor({ timeout: 10_000 });
    await host.locator('[data-testid="person"]', { hasText: 'Prof. Gina Guest' }).filter({ hasText: 'not here' }).waitFor({ timeout: 10_000 });
    await guestContext.close();
  });

  it('the host ends the session for everyone; its annotations stay with the study', async () => {
    const listed = await host.getByTestId('annotation-list').locator('li').count();
    assert.ok(listed >= 3, `${listed} annotations listed`);
    host.once('dialog', (dialog) => void dialog.accept());
    await host.getByRole('button', { name: 'End session' }).click();
    for (const page of [host, colleague]) await page.getByText('This teleconsultation has ended').first().waitFor({ timeout: 20_000 });
    const kept = await harness.server.node.db.consultationAnnotation.count({ where: { consultationId, deletedAt: null } });
    assert.equal(kept, listed);
  });
});

