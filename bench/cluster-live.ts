// Scale-out live bench (issue 20, figure "Live"): the presenter of a live
// teleconsultation on process 1, a follower on process 2, the presenter's
// updates crossing over the server relay (consult:relay → consult:relayed,
// carried between the processes by the socket.io Redis streams adapter); in
// the same run, for comparison, a second follower on process 1 with the
// presenter, and then a one-process node without Redis (a small node: live
// state and socket.io in memory).
//
//   npx tsx bench/cluster-live.ts [--updates 400] [--rate 20] [--warmup 20] [--keep]
//
// Phase 1: one Telepacs node as 2 processes (the headless archive,
// bench/support/telepacs-node.ts, each on its own ports; one new PostgreSQL
// database, one DATA_DIR, one Redis of the bench's own:
// bench/support/telepacs-processes.ts), set up as
// test/integration/several-processes.test.ts does: a 1-image CT study stored
// by STOW-RS, the patient's sharing permit, a consultation on it started by the
// administrator (the host, who presents) with two invited experts of another
// facility. Three socket.io clients (namespace /consult, WebSocket, signed in
// by a session cookie as the portal's pages are: test/support/session-socket.ts),
// all in this one Node process, each joined (consult:join): the presenter on
// process 1, follower "across" on process 2, follower "one process" on
// process 1. Phase 2: the node stopped, a new one of 1 process without
// REDIS_URL (own database), the presenter and one follower on it.
//
// In each phase the presenter sends --warmup + --updates relay messages at
// --rate per second, alternately the two kinds a presenting viewer sends to a
// peer without a data channel: `viewport` (the shared view: the server checks
// the presenter and records the view in the live store before relaying) and
// `drawing` (an annotation being drawn, relayed as is); in phase 1 each message
// is addressed to both followers at once (to: [both]), so the two paths carry
// the very same messages at the same moments. Each follower notes the arrival
// with performance.now() of this process — the clock of the send (one machine,
// one process, no skew). The first --warmup are not counted; a message not
// received within 2 s counts as missed (and fails the run).
//
// Prints p50/p95/max per follower and per kind, and the ratios across / one
// process (same node) and across / one process without Redis. No browser
// (bench/collab-latency.ts measures the pages, one process): this is the
// transport, server relay included. No peer archive has live sessions: the
// comparison is the in-run one-process figures. Goal (issue 20): p95
// presenter→follower under 50 ms over the relay across processes. Everything
// started is stopped and each database dropped at the end, also on error and
// on Ctrl-C.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Socket } from 'socket.io-client';
import { createSession } from '../lib/auth';
import type { CollabAnnotation, CollabMessage, ViewerSyncState } from '../lib/collab/protocol';
import { startConsultation } from '../lib/consult/consultations';
import { createFacility, createUser } from '../lib/policy/test-fixtures';
import { CONSULT_EVENTS, CONSULT_NAMESPACE, type ConsultJoinAck } from '../lib/realtime/events';
import { createDatabase, type Database } from '../prisma/database';
import { permitSharing, patientRefOfStudy } from '../test/support/consent';
import { makeStudy } from '../test/support/fixtures';
import { startRedisServer, type RedisServer } from '../test/support/redis-server';
import { connectWithSession } from '../test/support/session-socket';
import { stowBody } from '../test/support/stow';
import { writeSamples } from './support/samples';
import { BENCH_ADMIN_EMAIL, cpuSecondsOf, startTelepacsProcesses, type TelepacsProcesses } from './support/telepacs-processes';

const { values: args } = parseArgs({
  options: {
    updates: { type: 'string', default: '400' },
    rate: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '20' },
    keep: { type: 'boolean', default: false },
  },
});

function positiveInteger(name: string, value: string | undefined, max: number, min = 1): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) throw new Error(`--${name} must be an integer from ${min} to ${max}`);
  return number;
}

const UPDATES = positiveInteger('updates', args.updates, 100_000);
const RATE = positiveInteger('rate', args.rate, 1000);
const WARMUP = positiveInteger('warmup', args.warmup, 10_000, 0);
const MISSED_AFTER_MS = 2000;
const EXPERTS = ['expert1@valley.example', 'expert2@valley.example'];

type FollowerName = 'across' | 'oneProcess' | 'noRedis';
const FOLLOWERS: readonly FollowerName[] = ['across', 'oneProcess', 'noRedis'];
const FOLLOWER_LABEL: Record<FollowerName, string> = {
  across: 'across processes (1 → 2, Redis)',
  oneProcess: 'one process (1 → 1, same node)',
  noRedis: 'one process without Redis',
};

interface Sample {
  seq: number;
  kind: 'viewport' | 'drawing';
  ms: number;
}

/** Nearest-rank percentile of unsorted values. */
function percentile(values: readonly number[], p: number): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A live session on a node of `count` processes (Redis shared when given), set up as the integration test does. */
interface LiveNode {
  cluster: TelepacsProcesses;
  db: Database;
  consultationId: string;
  /** A socket of `email` on the process at `url`, signed in and joined */
  open(url: string, email: string): Promise<Socket>;
  stop(): Promise<void>;
}

async function startLiveNode(workDir: string, count: number, redisUrl: string | undefined, sockets: Socket[]): Promise<LiveNode> {
  const cluster = await startTelepacsProcesses({ count, workDir, redisUrl });
  const db = createDatabase({ databaseUrl: cluster.databaseUrl, dataDir: cluster.dataDir });
  const stop = async () => {
    await db.$disconnect().catch(() => undefined);
    await cluster.stop();
  };
  try {
    const [first] = cluster.processes;
    // The study, the permit, the experts, the consultation (as test/integration/several-processes.test.ts)
    const study = makeStudy({ patientId: 'BENCH-LIVE', series: 1, instancesPerSeries: 1, seed: 'bench-cluster-live' });
    const { body, contentType } = stowBody([...study]);
    const stow = await fetch(`${first.dicomwebUrl}/studies`, { method: 'POST', headers: { ...cluster.headers, 'content-type': contentType }, body: new Uint8Array(body) });
    if (stow.status !== 200) throw new Error(`STOW: HTTP ${stow.status} ${(await stow.text()).slice(0, 300)}`);
    const admin = await db.user.findUniqueOrThrow({ where: { email: BENCH_ADMIN_EMAIL } });
    const home = await db.membership.findFirstOrThrow({ where: { userId: admin.id } });
    await permitSharing(db, await patientRefOfStudy(db, study.studyInstanceUid, home.facilityId));
    const valley = await createFacility(db, 'Valley Clinic');
    for (const email of EXPERTS) await createUser(db, { email, memberships: [{ facilityId: valley.id, role: 'EXPERT' }] });
    const { id: consultationId } = await startConsultation({ db }, { userId: admin.id, email: admin.email, ip: '127.0.0.1' }, { studyInstanceUid: study.studyInstanceUid, invitees: EXPERTS });
    studyRef = { studyInstanceUid: study.studyInstanceUid, seriesInstanceUid: study.seriesInstanceUids[0], sopInstanceUid: study.sopInstanceUids[0][0], adminId: admin.id, adminName: admin.name ?? 'Bench' };
    const open = async (url: string, email: string): Promise<Socket> => {
      const user = await db.user.findUniqueOrThrow({ where: { email } });
      const { token } = await createSession(db, { userId: user.id, ttlHours: 1 });
      const socket = await connectWithSession(url, CONSULT_NAMESPACE, token);
      sockets.push(socket);
      const ack = await new Promise<ConsultJoinAck>((resolve) => socket.emit(CONSULT_EVENTS.JOIN, { consultationId }, resolve));
      if (!ack.ok) throw new Error(`${email} could not join: ${JSON.stringify(ack)}`);
      return socket;
    };
    return { cluster, db, consultationId, open, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The study the messages refer to (the same UIDs on every node: made from one seed) */
let studyRef = { studyInstanceUid: '', seriesInstanceUid: '', sopInstanceUid: '', adminId: '', adminName: '' };

function viewMessage(seq: number): CollabMessage {
  const state: ViewerSyncState = {
    layout: '1x1',
    active: 0,
    viewports: [{ seriesInstanceUid: studyRef.seriesInstanceUid, imageIndex: seq % 60, voi: { windowWidth: 400, windowCenter: 40 }, camera: null, invert: false }],
  };
  return { type: 'viewport', seq, sentAt: performance.timeOrigin + performance.now(), state };
}

function drawingMessage(seq: number): CollabMessage {
  const annotation: CollabAnnotation = {
    uid: `bench-length-${Math.floor(seq / 10)}`,
    tool: 'Length',
    version: 0,
    ref: { studyInstanceUid: studyRef.studyInstanceUid, seriesInstanceUid: studyRef.seriesInstanceUid, sopInstanceUid: studyRef.sopInstanceUid, frameNumber: 1, frameOfReferenceUid: '' },
    points: [
      [0, 0, 0],
      [seq % 10, seq % 7, 0],
    ],
    imagePoints: [
      [0, 0],
      [2 * (seq % 10), 2 * (seq % 7)],
    ],
    viewPlaneNormal: [0, 0, 1],
    viewUp: [0, -1, 0],
    stats: { length: seq % 10 },
    authorUserId: studyRef.adminId,
    authorName: studyRef.adminName,
    color: '#facc15',
    updatedAt: new Date().toISOString(),
  };
  return { type: 'drawing', seq, sentAt: performance.timeOrigin + performance.now(), annotation };
}

/** The presenter sends WARMUP + UPDATES relay messages at RATE, each to every follower; the arrival of each at each follower, in ms after its send. */
async function measure(node: LiveNode, presenter: Socket, followers: Partial<Record<FollowerName, Socket>>): Promise<{ samples: Partial<Record<FollowerName, Sample[]>>; wallMs: number; cpuServers: number[]; cpuClient: number }> {
  // The relay checks the addressees against the session's peers: let the joins settle everywhere
  await sleep(500);
  const sentAt = new Map<number, number>();
  const samples: Partial<Record<FollowerName, Sample[]>> = {};
  for (const [name, socket] of Object.entries(followers) as [FollowerName, Socket][]) {
    const mine: Sample[] = (samples[name] = []);
    socket.on(CONSULT_EVENTS.RELAYED, (payload: { message: CollabMessage }) => {
      const at = performance.now();
      const sent = sentAt.get(payload.message.seq);
      if (sent !== undefined) mine.push({ seq: payload.message.seq, kind: payload.message.type === 'viewport' ? 'viewport' : 'drawing', ms: at - sent });
    });
  }
  const pids = node.cluster.processes.map((entry) => entry.pid);
  const cpuBefore = pids.map((pid) => cpuSecondsOf([pid]));
  const cpuClient = process.cpuUsage();
  const to = Object.values(followers).map((socket) => socket.id!);
  const interval = 1000 / RATE;
  const start = performance.now();
  for (let seq = 1; seq <= WARMUP + UPDATES; seq++) {
    const due = start + (seq - 1) * interval;
    const wait = due - performance.now();
    if (wait > 2) await sleep(wait - 2);
    while (performance.now() < due) {
      // the last milliseconds: timers are coarse
    }
    const message = seq % 2 ? viewMessage(seq) : drawingMessage(seq);
    sentAt.set(seq, performance.now());
    presenter.emit(CONSULT_EVENTS.RELAY, { consultationId: node.consultationId, to, message });
  }
  await sleep(MISSED_AFTER_MS);
  const usage = process.cpuUsage(cpuClient);
  return {
    samples,
    wallMs: performance.now() - start,
    cpuServers: pids.map((pid, index) => cpuSecondsOf([pid]) - cpuBefore[index]),
    cpuClient: (usage.user + usage.system) / 1e6,
  };
}

/** Refused relays are not answered, only logged (lib/realtime/attach-consult.ts, refuse) */
function refusalsLogged(cluster: TelepacsProcesses): string[] {
  return cluster.processes.flatMap((entry) => readFileSync(entry.logFile, 'utf8').split('\n').filter((line) => line.includes('consultation event refused')));
}

async function main(): Promise<void> {
  const workDir = mkdtempSync(path.join(tmpdir(), 'telepacs-cluster-live-'));
  let redis: RedisServer | undefined;
  let node: LiveNode | undefined;
  const sockets: Socket[] = [];
  let stopping: Promise<void> | undefined;
  const closeSockets = () => {
    for (const socket of sockets.splice(0)) socket.close();
  };
  const stopAll = (): Promise<void> => {
    stopping ??= (async () => {
      closeSockets();
      await node?.stop().catch((error: unknown) => console.error(`stopping Telepacs: ${String(error)}`));
      await redis?.stop().catch(() => undefined);
      if (args.keep) console.log(`kept ${workDir}`);
      else rmSync(workDir, { recursive: true, force: true });
    })();
    return stopping;
  };
  const onSignal = () => {
    console.log('\ninterrupted: stopping the servers');
    void stopAll().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const samples: Partial<Record<FollowerName, Sample[]>> = {};
    const notes: Record<string, unknown>[] = [];
    const refusals: string[] = [];
    console.log(`${WARMUP + UPDATES} relay updates per phase (${WARMUP} warm-up) at ${RATE}/s, alternately viewport and drawing`);

    // Phase 1: 2 processes, one Redis; presenter on 1, followers on 2 (across) and on 1 (one process), the same messages to both
    redis = await startRedisServer();
    node = await startLiveNode(path.join(workDir, 'redis'), 2, redis.url, sockets);
    const [first, second] = node.cluster.processes;
    console.log(`phase 1: Telepacs ${node.cluster.version}, 2 processes (${first.url}, ${second.url}), PostgreSQL, Redis ${redis.url}`);
    {
      const presenter = await node.open(first.url, BENCH_ADMIN_EMAIL);
      const followers = { across: await node.open(second.url, EXPERTS[0]), oneProcess: await node.open(first.url, EXPERTS[1]) };
      const run = await measure(node, presenter, followers);
      Object.assign(samples, run.samples);
      refusals.push(...refusalsLogged(node.cluster));
      const line = `phase 1: CPU s over ${(run.wallMs / 1000).toFixed(1)} s: process 1 ${run.cpuServers[0].toFixed(2)}, process 2 ${run.cpuServers[1].toFixed(2)}, bench client ${run.cpuClient.toFixed(2)}; load ${loadavg().map((value) => value.toFixed(2)).join(' ')}`;
      console.log(line);
      notes.push({ phase: 1, cpuServers: run.cpuServers, cpuClient: run.cpuClient, load: loadavg() });
    }
    closeSockets();
    await node.stop();
    node = undefined;
    await redis.stop();
    redis = undefined;

    // Phase 2: one process without Redis (a small node: live state and socket.io in memory), presenter and follower on it
    node = await startLiveNode(path.join(workDir, 'memory'), 1, undefined, sockets);
    console.log(`phase 2: Telepacs, 1 process without REDIS_URL (${node.cluster.processes[0].url}), PostgreSQL`);
    {
      const presenter = await node.open(node.cluster.processes[0].url, BENCH_ADMIN_EMAIL);
      const run = await measure(node, presenter, { noRedis: await node.open(node.cluster.processes[0].url, EXPERTS[0]) });
      Object.assign(samples, run.samples);
      refusals.push(...refusalsLogged(node.cluster));
      console.log(`phase 2: CPU s over ${(run.wallMs / 1000).toFixed(1)} s: process ${run.cpuServers[0].toFixed(2)}, bench client ${run.cpuClient.toFixed(2)}; load ${loadavg().map((value) => value.toFixed(2)).join(' ')}`);
      notes.push({ phase: 2, cpuServers: run.cpuServers, cpuClient: run.cpuClient, load: loadavg() });
    }

    const counted = (name: FollowerName) => (samples[name] ?? []).filter((sample) => sample.seq > WARMUP);
    const row = (label: string, values: number[], expected: number) =>
      `  ${label.padEnd(38)} ${String(values.length).padStart(5)}/${expected}  p50 ${percentile(values, 50).toFixed(2).padStart(6)} ms  p95 ${percentile(values, 95).toFixed(2).padStart(6)} ms  max ${Math.max(...values).toFixed(2).padStart(7)} ms`;
    console.log(`\npresenter → follower over the server relay, ${UPDATES} updates counted per follower:`);
    const summary: Partial<Record<FollowerName, { p50: number; p95: number; max: number; n: number; missed: number }>> = {};
    for (const name of FOLLOWERS) {
      const mine = counted(name);
      const all = mine.map((sample) => sample.ms);
      console.log(row(FOLLOWER_LABEL[name], all, UPDATES));
      for (const kind of ['viewport', 'drawing'] as const) {
        console.log(row(`  ${kind}`, mine.filter((sample) => sample.kind === kind).map((sample) => sample.ms), Math.ceil(UPDATES / 2)));
      }
      summary[name] = { p50: percentile(all, 50), p95: percentile(all, 95), max: Math.max(...all), n: all.length, missed: UPDATES - all.length };
    }
    const { across, oneProcess, noRedis } = summary as Record<FollowerName, { p50: number; p95: number; max: number; n: number; missed: number }>;
    console.log(`missed (not received within ${MISSED_AFTER_MS / 1000} s): ${FOLLOWERS.map((name) => `${name} ${summary[name]?.missed}`).join(', ')}; refusals logged by the processes: ${refusals.length}`);
    if (refusals.length) console.log(`first refusal: ${refusals[0]}`);
    console.log(`across / one process (same Redis node): p50 ${(across.p50 / oneProcess.p50).toFixed(2)}×, p95 ${(across.p95 / oneProcess.p95).toFixed(2)}×`);
    console.log(`across / one process without Redis:     p50 ${(across.p50 / noRedis.p50).toFixed(2)}×, p95 ${(across.p95 / noRedis.p95).toFixed(2)}×`);
    console.log(`goal: p95 across processes under 50 ms: ${across.p95 < 50 && across.missed === 0 ? 'MET' : 'NOT MET'} (${across.p95.toFixed(2)} ms)`);

    writeSamples('cluster-live', { settings: { updates: UPDATES, rate: RATE, warmup: WARMUP }, summary, notes, refusals, samples });
    if (FOLLOWERS.some((name) => (summary[name]?.missed ?? 1) > 0)) process.exitCode = 1;
  } finally {
    await stopAll();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
