// bench/collab-latency: how long a follower waits for the presenter.
//
// In headless Chromium, two tabs of one teleconsultation on loopback: the
// presenter scrolls (arrow key) and draws (mouse drags with the Length
// tool); the follower's page records, for each update it applies, the time
// from the presenter's send (performance.timeOrigin + now(), sub-ms, one
// clock: same machine) to the follower's frame on screen (Cornerstone's
// IMAGE_RENDERED for a scroll; the next animation frame after the
// annotation is drawn). Runs once with a WebRTC data channel and once with
// the follower's WebRTC blocked (ICE limited to TURN, no TURN server: the
// server relays), and prints p50/p95 and the relay/WebRTC ratio.
//
//   npx tsx bench/collab-latency.ts                 # 200 scrolls + 200 drawing updates per path
//   npx tsx bench/collab-latency.ts --actions 50    # a quick look
//
// Goal (issue 5): p95 under 50 ms over WebRTC on loopback.
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { startConsultation } from '../lib/consult/consultations';
import { startConsultHarness, waitForRoom, type ConsultHarness } from '../test/support/consult-harness';
import { writeSamples } from './support/samples';

interface Sample {
  kind: 'viewport' | 'annotation';
  via: 'webrtc' | 'relay';
  ms: number;
  transportMs: number;
}

const { values } = parseArgs({ options: { actions: { type: 'string', default: '200' }, instances: { type: 'string', default: '60' }, size: { type: 'string', default: '256' } } });
const ACTIONS = Number(values.actions);
const INSTANCES = Number(values.instances);

const latencies = (page: Page) => page.evaluate(() => (window as unknown as { __telepacsConsult: { latencies: Sample[] } }).__telepacsConsult.latencies.slice());
const latencyCount = (page: Page) => page.evaluate(() => (window as unknown as { __telepacsConsult: { latencies: unknown[] } }).__telepacsConsult.latencies.length);
const linkStates = (page: Page) =>
  page.evaluate(() => (window as unknown as { __telepacsConsult: { snapshot(): { links: { state: string }[] } } }).__telepacsConsult.snapshot().links.map((link) => link.state));

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** One measured action: do it, then wait until the follower has put one more frame on screen. */
async function measured(follower: Page, act: () => Promise<void>): Promise<boolean> {
  const before = await latencyCount(follower);
  await act();
  try {
    await waitFor(async () => (await latencyCount(follower)) > before, 3000, 'the follower');
    return true;
  } catch {
    return false;
  }
}

async function runPath(harness: ConsultHarness, consultationId: string, via: 'webrtc' | 'relay'): Promise<{ samples: Sample[]; missed: number }> {
  const presenter = await harness.openPage('host', `/consultations/${consultationId}`);
  const follower = await harness.openPage('expert', `/consultations/${consultationId}`, { blockWebrtc: via === 'relay' });
  await Promise.all([waitForRoom(presenter), waitForRoom(follower)]);
  const wanted = via === 'webrtc' ? 'direct' : 'relay';
  await waitFor(async () => (await linkStates(follower)).includes(wanted) && (await linkStates(presenter)).includes(wanted), 30_000, `a ${wanted} link`);

  // Warm-up: every image of the series decoded and cached in both tabs, so
  // that the figures are the sync's, not the first load of an image.
  for (let step = 0; step < INSTANCES; step++) await presenter.keyboard.press('ArrowDown');
  await presenter.waitForTimeout(1500);
  for (let step = 0; step < INSTANCES; step++) await presenter.keyboard.press('ArrowUp');
  await presenter.waitForTimeout(1500);
  const start = (await latencies(follower)).length;

  let missed = 0;
  // Scrolls: down through the series and back, one image per action
  let direction = 1;
  let index = 0;
  for (let action = 0; action < ACTIONS; action++) {
    if (index + direction < 0 || index + direction >= INSTANCES) direction = -direction;
    index += direction;
    if (!(await measured(follower, () => presenter.keyboard.press(direction > 0 ? 'ArrowDown' : 'ArrowUp')))) missed++;
  }

  // Drawing: Length annotations dragged in steps; every step the follower shows is one sample
  await presenter.getByRole('button', { name: 'Length', exact: true }).click();
  const box = (await presenter.locator('[data-pane="0"]').boundingBox())!;
  let drawn = 0;
  for (let row = 0; drawn < ACTIONS; row++) {
    const y = box.y + box.height * (0.15 + ((row % 14) * 0.05));
    const x0 = box.x + box.width * 0.15;
    await presenter.mouse.move(x0, y);
    await presenter.mouse.down();
    for (let step = 1; step <= 10 && drawn < ACTIONS; step++, drawn++) {
      // 40 ms apart: above the 33 ms send interval, so that each step is one message
      if (!(await measured(follower, async () => {
        await presenter.mouse.move(x0 + step * box.width * 0.06, y + step * 2);
        await presenter.waitForTimeout(40);
      }))) missed++;
    }
    await presenter.mouse.up();
    await presenter.waitForTimeout(300);
  }
  const samples = (await latencies(follower)).slice(start).filter((sample) => sample.via === via);
  renderer = await follower.evaluate(() => (window as unknown as { __telepacsViewer: { renderer(): string } }).__telepacsViewer.renderer());
  await presenter.context().close();
  await follower.context().close();
  return { samples, missed };
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(samples: Sample[], kind: Sample['kind']) {
  const ofKind = samples.filter((sample) => sample.kind === kind);
  const values = ofKind.map((sample) => sample.ms).sort((a, b) => a - b);
  const transport = ofKind.map((sample) => sample.transportMs).sort((a, b) => a - b);
  return { n: values.length, p50: percentile(values, 50), p95: percentile(values, 95), max: values[values.length - 1] ?? NaN, transportP50: percentile(transport, 50), transportP95: percentile(transport, 95) };
}

let renderer = '';
const harness = await startConsultHarness({ instances: INSTANCES, size: Number(values.size) });
try {
  const db = harness.server.node.db;
  const { id } = await startConsultation(
    { db },
    { userId: harness.users.host.id, email: harness.users.host.email, ip: '127.0.0.1' },
    { studyInstanceUid: harness.study.studyInstanceUid, title: 'collab latency bench', invitees: [harness.users.expert.email] },
  );
  const results = { webrtc: await runPath(harness, id, 'webrtc'), relay: await runPath(harness, id, 'relay') };
  const fmt = (value: number) => (Number.isFinite(value) ? value.toFixed(1).padStart(7) : '      –');
  console.log(`\ncollab latency, presenter action → follower's frame on screen (ms), ${ACTIONS} actions each, ${INSTANCES} images of ${values.size}², follower renders with ${renderer}`);
  console.log('kind        path        n     p50     p95     max   (of which transport p50  p95)');
  const rows: Record<string, ReturnType<typeof summary>> = {};
  for (const kind of ['viewport', 'annotation'] as const) {
    for (const via of ['webrtc', 'relay'] as const) {
      const row = summary(results[via].samples, kind);
      rows[`${kind}/${via}`] = row;
      console.log(`${kind.padEnd(11)} ${via.padEnd(8)} ${String(row.n).padStart(4)} ${fmt(row.p50)} ${fmt(row.p95)} ${fmt(row.max)}               ${fmt(row.transportP50)} ${fmt(row.transportP95)}`);
    }
  }
  for (const kind of ['viewport', 'annotation'] as const) {
    const direct = rows[`${kind}/webrtc`];
    const relay = rows[`${kind}/relay`];
    console.log(`${kind}: relay/WebRTC p50 ×${(relay.p50 / direct.p50).toFixed(2)}, p95 ×${(relay.p95 / direct.p95).toFixed(2)}`);
  }
  const worst = Math.max(rows['viewport/webrtc'].p95, rows['annotation/webrtc'].p95);
  console.log(`goal p95 < 50 ms over WebRTC: ${worst < 50 ? 'met' : 'NOT met'} (${worst.toFixed(1)} ms)`);
  console.log(`actions without a follower frame within 3 s: WebRTC ${results.webrtc.missed}, relay ${results.relay.missed}`);
  writeSamples('collab-latency', { actions: ACTIONS, instances: INSTANCES, size: Number(values.size), rows, samples: results });
} finally {
  await harness.close();
}
