// Scale-out reads bench (issue 20, figure "Reads"): 50 concurrent viewers open
// series (QIDO studies → QIDO series → series metadata → every frame of the
// series) through the balancer, into Telepacs as 1 process and as 2 processes,
// and into Orthanc (Debian) behind the same balancer, in one run.
//
//   npx tsx bench/cluster-reads.ts [--viewers 50] [--opens 2] [--parallel 6]
//                                  [--studies 4] [--images 150] [--size 512]
//                                  [--rounds 1] [--targets telepacs1,telepacs2,orthanc] [--keep]
//
// The balancer: HAProxy with the shipped deploy/haproxy/telepacs.cfg
// (bench/support/balancer.ts: binds and servers substituted, round robin, the
// TELEPACS_SRV cookie, health check every second), in front of separate
// processes — not TELEPACS_WORKERS. Telepacs "1 proc" is one process behind it,
// "2 procs" two processes behind it (each the headless archive,
// bench/support/telepacs-node.ts, on ports of its own, sharing one new
// PostgreSQL database, one DATA_DIR and one Redis of the bench's own, with
// PUBLIC_URL = the balancer and TRUST_PROXY=true, as README "Several machines: a
// balancer" says); Orthanc (default settings, SQLite, DICOMweb plugin defaults)
// is the one server behind the same config with /system as its health check,
// so every target pays the same extra hop. Each target is started fresh for its
// turn, loaded (untimed) by STOW-RS through the balancer with --studies studies
// (one patient each) of one CT series of --images images (--size², 16-bit,
// made once with the test fixtures' makeInstance), warmed (untimed: each study
// opened once on each backend directly, so the first-request costs — argon2 of
// the Basic credentials, the series metadata's first build — stay out), and
// stopped before the next (never two servers at once: 2 cores).
//
// Timed: --viewers viewers start at once; each opens --opens series one after
// the other (viewer v, open k: study (v + k) mod --studies), with --parallel
// frame requests in flight like a browser's 6 connections per host; it keeps
// the balancer's cookie, as a browser would, so it stays on one process. Same
// client code for every target (Node fetch, whole body read, HTTP Basic for
// Telepacs as bench/dicomweb.ts; native frames, no transcoding). The client
// runs on the same cores as the servers: its CPU time is printed too. Prints per
// target: viewers, requests, wall time, requests/s, frames/s, p50/p95 of
// series-open time (first QIDO to last frame) and of one frame's latency, the
// CPU the servers, HAProxy, PostgreSQL and the client used; then the ratios
// 2 procs/1 proc (the scaling factor) and Telepacs/Orthanc. Every server is
// stopped and every database dropped at the end, also on error and on Ctrl-C.
//
// Goal (issue 20): 2 processes serve ~2× the requests of one at no worse p95;
// on a 2-core machine that also runs the client, read the scaling factor with
// the CPU columns.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { freePort } from '../test/support/dcmtk';
import { makeInstance, type InstanceOptions } from '../test/support/fixtures';
import { startRedisServer, type RedisServer } from '../test/support/redis-server';
import { startBalancer, type HttpBalancer } from './support/balancer';
import { ACCEPT, stowAll, type BenchServer } from './support/dicomweb-timing';
import { orthancMissing, startOrthanc } from './support/orthanc';
import { writeSamples } from './support/samples';
import { cpuSecondsOf, POSTGRES_ADMIN_URL, startTelepacsProcesses, type TelepacsProcesses } from './support/telepacs-processes';

const { values: args } = parseArgs({
  options: {
    viewers: { type: 'string', default: '50' },
    opens: { type: 'string', default: '2' },
    parallel: { type: 'string', default: '6' },
    studies: { type: 'string', default: '4' },
    images: { type: 'string', default: '150' },
    size: { type: 'string', default: '512' },
    rounds: { type: 'string', default: '1' },
    targets: { type: 'string', default: 'telepacs1,telepacs2,orthanc' },
    keep: { type: 'boolean', default: false },
  },
});

function positiveInteger(name: string, value: string | undefined, max: number): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > max) throw new Error(`--${name} must be an integer from 1 to ${max}`);
  return number;
}

const VIEWERS = positiveInteger('viewers', args.viewers, 1000);
const OPENS = positiveInteger('opens', args.opens, 100);
const PARALLEL = positiveInteger('parallel', args.parallel, 64);
const STUDIES = positiveInteger('studies', args.studies, 100);
const IMAGES = positiveInteger('images', args.images, 5000);
const SIZE = positiveInteger('size', args.size, 4096);
const ROUNDS = positiveInteger('rounds', args.rounds, 10);

type TargetName = 'telepacs1' | 'telepacs2' | 'orthanc';
const ALL_TARGETS: readonly TargetName[] = ['telepacs1', 'telepacs2', 'orthanc'];
const TARGETS = (args.targets ?? '').split(',').map((name) => name.trim()) as TargetName[];
for (const name of TARGETS) if (!ALL_TARGETS.includes(name)) throw new Error(`--targets: unknown ${name} (${ALL_TARGETS.join(', ')})`);
const LABEL: Record<TargetName, string> = { telepacs1: 'Telepacs 1 proc', telepacs2: 'Telepacs 2 procs', orthanc: 'Orthanc' };

function studyOptions(index: number): InstanceOptions {
  const n = index + 1;
  return {
    patientId: `BENCH-READS-${n}`,
    patientName: `Bench^Reads${n}`,
    accessionNumber: `BENCH-READS-${n}`,
    studyDescription: 'CT CHEST bench',
    seriesDescription: 'Axial 1.25 mm',
    modality: 'CT',
    rows: SIZE,
    columns: SIZE,
    bitsAllocated: 16,
    seriesNumber: 1,
  };
}

/** A running target: the balancer's DICOMweb root for the timed part, each backend's own for the warm-up. */
interface Target {
  version: string;
  server: BenchServer;
  backends: BenchServer[];
  /** Server processes, HAProxy, for the CPU notes */
  serverPids(): (number | undefined)[];
  balancerPid: number | undefined;
  /** Telepacs: its PostgreSQL database (transactions per request, for the notes) */
  databaseName?: string;
  stop(): Promise<void>;
}

/** Transactions committed or rolled back so far in this database (pg_stat_database; the statistics lag by up to ~0.5 s). */
async function databaseTransactions(name: string | undefined): Promise<number> {
  if (!name) return Number.NaN;
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>('SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = $1', [name]);
    return Number(rows[0]?.n ?? Number.NaN);
  } finally {
    await client.end();
  }
}

/** Runs the steps of stop() in order, each even if one before failed. */
function stopper(steps: (() => Promise<void>)[]): () => Promise<void> {
  let stopped: Promise<void> | undefined;
  return () => {
    stopped ??= (async () => {
      for (const step of steps) await step().catch((error: unknown) => console.error(`stopping: ${error instanceof Error ? error.message : String(error)}`));
    })();
    return stopped;
  };
}

async function startTelepacsTarget(workDir: string, count: number): Promise<Target> {
  const port = await freePort();
  let redis: RedisServer | undefined;
  let cluster: TelepacsProcesses | undefined;
  let balancer: HttpBalancer | undefined;
  const stop = stopper([async () => balancer?.stop(), async () => cluster?.stop(), async () => redis?.stop()]);
  try {
    redis = await startRedisServer();
    cluster = await startTelepacsProcesses({
      count,
      workDir,
      redisUrl: redis.url,
      env: { PUBLIC_URL: `http://127.0.0.1:${port}`, TRUST_PROXY: 'true' },
    });
    balancer = await startBalancer(
      port,
      cluster.processes.map((entry) => entry.httpPort),
    );
  } catch (error) {
    await stop();
    throw error;
  }
  const { processes, headers, version } = cluster;
  const root = new URL(processes[0].dicomwebUrl).pathname;
  return {
    version,
    server: { name: `Telepacs ${count}p`, dicomwebUrl: `${balancer.url}${root}`, headers },
    backends: processes.map((entry, index) => ({ name: `Telepacs process ${index + 1}`, dicomwebUrl: entry.dicomwebUrl, headers })),
    serverPids: () => processes.map((entry) => entry.pid),
    balancerPid: balancer.pid,
    databaseName: new URL(cluster.databaseUrl).pathname.slice(1),
    stop,
  };
}

/** The pid listening on this TCP port (ss -p: our own processes only). */
function pidListening(port: number): number | undefined {
  const out = spawnSync('ss', ['-Htlnp', `sport = :${port}`], { encoding: 'utf8' }).stdout;
  const match = /pid=(\d+)/.exec(out);
  return match ? Number(match[1]) : undefined;
}

async function startOrthancTarget(workDir: string): Promise<Target> {
  mkdirSync(workDir, { recursive: true });
  const orthanc = await startOrthanc(workDir);
  let balancer: HttpBalancer | undefined;
  const stop = stopper([async () => balancer?.stop(), () => orthanc.stop()]);
  try {
    balancer = await startBalancer(await freePort(), [orthanc.httpPort], '/system');
  } catch (error) {
    await stop();
    throw error;
  }
  const pid = pidListening(orthanc.httpPort);
  return {
    version: orthanc.version,
    server: { name: 'Orthanc', dicomwebUrl: `${balancer.url}/dicom-web`, headers: {} },
    backends: [{ name: 'Orthanc', dicomwebUrl: orthanc.dicomwebUrl, headers: {} }],
    serverPids: () => [pid],
    balancerPid: balancer.pid,
    stop,
  };
}

/** One browser: its balancer cookie (TELEPACS_SRV, set by HAProxy on the first answer) keeps it on one process. */
interface Viewer {
  cookie?: string;
}

interface Counters {
  requests: number;
  bytes: number;
}

async function viewerGet(server: BenchServer, viewer: Viewer, counters: Counters, pathAndQuery: string, accept: string): Promise<{ ms: number; body: Buffer }> {
  const headers: Record<string, string> = { ...server.headers, accept };
  if (viewer.cookie) headers.cookie = viewer.cookie;
  const start = performance.now();
  const response = await fetch(`${server.dicomwebUrl}${pathAndQuery}`, { headers });
  const body = Buffer.from(await response.arrayBuffer());
  const ms = performance.now() - start;
  counters.requests++;
  counters.bytes += body.length;
  const cookie = /TELEPACS_SRV=[^;,\s]+/.exec(response.headers.get('set-cookie') ?? '');
  if (cookie) viewer.cookie = cookie[0];
  if (response.status !== 200) throw new Error(`${server.name} GET ${pathAndQuery}: HTTP ${response.status} ${body.subarray(0, 300).toString('utf8')}`);
  return { ms, body };
}

type DicomJson = Record<string, { Value?: unknown[] } | undefined>;

function jsonArray(server: BenchServer, body: Buffer, expected: number, what: string): DicomJson[] {
  const parsed = JSON.parse(body.toString('utf8')) as unknown;
  if (!Array.isArray(parsed) || parsed.length !== expected) {
    throw new Error(`${server.name} ${what}: expected ${expected} results, got ${Array.isArray(parsed) ? parsed.length : typeof parsed}`);
  }
  return parsed as DicomJson[];
}

function stringValue(item: DicomJson, tag: string): string {
  const value = item[tag]?.Value?.[0];
  if (typeof value !== 'string') throw new Error(`no ${tag} in a DICOM JSON answer`);
  return value;
}

interface OpenResult {
  /** First QIDO to last frame */
  openMs: number;
  /** First QIDO to the first frame received (what the reader sees first) */
  firstImageMs: number;
  frameMs: number[];
}

/** What a viewer does to open a series: QIDO studies, QIDO series, series metadata, then every frame, PARALLEL at a time. */
async function openSeries(server: BenchServer, viewer: Viewer, counters: Counters, study: number): Promise<OpenResult> {
  const start = performance.now();
  const patientId = studyOptions(study).patientId!;
  const studies = jsonArray(server, (await viewerGet(server, viewer, counters, `/studies?PatientID=${patientId}`, ACCEPT.json)).body, 1, 'QIDO studies');
  const studyUid = stringValue(studies[0], '0020000D');
  const series = jsonArray(server, (await viewerGet(server, viewer, counters, `/studies/${studyUid}/series`, ACCEPT.json)).body, 1, 'QIDO series');
  const seriesUid = stringValue(series[0], '0020000E');
  const metadata = jsonArray(server, (await viewerGet(server, viewer, counters, `/studies/${studyUid}/series/${seriesUid}/metadata`, ACCEPT.json)).body, IMAGES, 'series metadata');
  // In the viewer's order: by InstanceNumber
  const instances = metadata
    .map((item) => ({ sop: stringValue(item, '00080018'), number: Number(item['00200013']?.Value?.[0] ?? 0) }))
    .sort((a, b) => a.number - b.number);
  const frameMs: number[] = new Array(instances.length);
  let firstImageMs = Number.NaN;
  let next = 0;
  const minimum = SIZE * SIZE * 2;
  const worker = async () => {
    while (next < instances.length) {
      const index = next++;
      const { ms, body } = await viewerGet(server, viewer, counters, `/studies/${studyUid}/series/${seriesUid}/instances/${instances[index].sop}/frames/1`, ACCEPT.nativeFrame);
      if (body.length < minimum) throw new Error(`${server.name} frame: ${body.length} bytes, expected at least ${minimum}`);
      frameMs[index] = ms;
      if (index === 0) firstImageMs = performance.now() - start;
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, instances.length) }, worker));
  return { openMs: performance.now() - start, firstImageMs, frameMs };
}

/** Nearest-rank percentile of unsorted values. */
function percentile(values: readonly number[], p: number): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

interface RunFigures {
  target: TargetName;
  round: number;
  wallMs: number;
  requests: number;
  bytes: number;
  frames: number;
  openMs: number[];
  firstImageMs: number[];
  frameMs: number[];
  cpu: { servers: number[]; haproxy: number; postgres: number; client: number };
  /** PostgreSQL transactions during the timed part (Telepacs) */
  transactions: number;
  load: number[];
}

function postgresPids(): number[] {
  return spawnSync('pgrep', ['-x', 'postgres'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number);
}

async function runTarget(name: TargetName, target: Target, round: number, files: Buffer[][]): Promise<RunFigures> {
  // Load, untimed: every study by STOW-RS through the balancer
  const loadStart = performance.now();
  for (const study of files) await stowAll(target.server, study, { batchSize: 10, concurrency: 4 });
  const loadMs = performance.now() - loadStart;
  spawnSync('sync');
  // Warm-up, untimed: each study opened once on each backend
  const warmStart = performance.now();
  for (const backend of target.backends) {
    for (let study = 0; study < STUDIES; study++) await openSeries(backend, {}, { requests: 0, bytes: 0 }, study);
  }
  const warmMs = performance.now() - warmStart;

  const serverPids = target.serverPids();
  const cpuServers = serverPids.map((pid) => cpuSecondsOf([pid]));
  const cpuHaproxy = cpuSecondsOf([target.balancerPid]);
  const cpuPostgres = cpuSecondsOf(postgresPids());
  const transactions = await databaseTransactions(target.databaseName);
  const cpuClient = process.cpuUsage();
  const counters: Counters = { requests: 0, bytes: 0 };
  const opens: OpenResult[] = [];
  const start = performance.now();
  await Promise.all(
    Array.from({ length: VIEWERS }, async (_, v) => {
      const viewer: Viewer = {};
      for (let k = 0; k < OPENS; k++) opens.push(await openSeries(target.server, viewer, counters, (v + k) % STUDIES));
    }),
  );
  const wallMs = performance.now() - start;
  const clientUsage = process.cpuUsage(cpuClient);
  // pg_stat_database is updated by each backend at most every 500 ms (and when idle): wait for it
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const transactionsUsed = (await databaseTransactions(target.databaseName)) - transactions;
  const figures: RunFigures = {
    target: name,
    round,
    wallMs,
    requests: counters.requests,
    bytes: counters.bytes,
    frames: opens.reduce((sum, open) => sum + open.frameMs.length, 0),
    openMs: opens.map((open) => open.openMs),
    firstImageMs: opens.map((open) => open.firstImageMs),
    frameMs: opens.flatMap((open) => open.frameMs),
    cpu: {
      servers: serverPids.map((pid, index) => cpuSecondsOf([pid]) - cpuServers[index]),
      haproxy: cpuSecondsOf([target.balancerPid]) - cpuHaproxy,
      postgres: cpuSecondsOf(postgresPids()) - cpuPostgres,
      client: (clientUsage.user + clientUsage.system) / 1e6,
    },
    transactions: transactionsUsed,
    load: loadavg(),
  };
  console.log(
    `round ${round}: ${LABEL[name].padEnd(16)} ${(wallMs / 1000).toFixed(1)} s, ${figures.requests} requests = ${(figures.requests / (wallMs / 1000)).toFixed(0)} req/s, ` +
      `${(figures.bytes / 1e6 / (wallMs / 1000)).toFixed(0)} MB/s; series open p50 ${(percentile(figures.openMs, 50) / 1000).toFixed(2)} s p95 ${(percentile(figures.openMs, 95) / 1000).toFixed(2)} s; ` +
      `frame p50 ${percentile(figures.frameMs, 50).toFixed(1)} ms p95 ${percentile(figures.frameMs, 95).toFixed(1)} ms; ` +
      `CPU s: server ${figures.cpu.servers.reduce((a, b) => a + b, 0).toFixed(1)}${figures.cpu.servers.length > 1 ? ` (${figures.cpu.servers.map((value) => value.toFixed(1)).join(' + ')})` : ''}, ` +
      `haproxy ${figures.cpu.haproxy.toFixed(1)}, postgres ${figures.cpu.postgres.toFixed(1)}, client ${figures.cpu.client.toFixed(1)}; ` +
      (Number.isFinite(transactionsUsed) ? `PostgreSQL transactions ${(transactionsUsed / figures.requests).toFixed(1)}/request; ` : '') +
      `load ${figures.load.map((value) => value.toFixed(2)).join(' ')}; (untimed: load ${(loadMs / 1000).toFixed(1)} s, warm-up ${(warmMs / 1000).toFixed(1)} s)`,
  );
  return figures;
}

async function main(): Promise<void> {
  const missing = ['haproxy', 'redis-server'].filter((command) => spawnSync('which', [command]).status !== 0);
  if (missing.length) throw new Error(`needs ${missing.join(' and ')} (apt-get install -y haproxy redis-server)`);
  if (TARGETS.includes('orthanc')) {
    const problem = orthancMissing();
    if (problem) throw new Error(problem);
  }
  const workDir = mkdtempSync(path.join(tmpdir(), 'telepacs-cluster-reads-'));
  let current: Target | undefined;
  let stopping: Promise<void> | undefined;
  const stopAll = (): Promise<void> => {
    stopping ??= (async () => {
      await current?.stop().catch(() => undefined);
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
    const made = performance.now();
    const files = Array.from({ length: STUDIES }, (_, study) =>
      Array.from({ length: IMAGES }, (_, i) => makeInstance({ ...studyOptions(study), instanceNumber: i + 1 })),
    );
    const megabytes = files.flat().reduce((sum, file) => sum + file.length, 0) / 1e6;
    console.log(
      `${STUDIES} studies × 1 CT series of ${IMAGES} images ${SIZE}×${SIZE} 16-bit (${megabytes.toFixed(0)} MB), made in ${((performance.now() - made) / 1000).toFixed(1)} s; ` +
        `${VIEWERS} viewers × ${OPENS} series opens, ${PARALLEL} frames in flight each (${VIEWERS * OPENS * (IMAGES + 3)} requests per target); ${spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()} cores`,
    );

    const runs: RunFigures[] = [];
    const versions = new Map<TargetName, string>();
    for (let round = 0; round < ROUNDS; round++) {
      const order = TARGETS.map((_, index) => TARGETS[(index + round) % TARGETS.length]);
      for (const name of order) {
        spawnSync('sync');
        const dir = path.join(workDir, `${name}-${round + 1}`);
        current = name === 'orthanc' ? await startOrthancTarget(dir) : await startTelepacsTarget(dir, name === 'telepacs2' ? 2 : 1);
        versions.set(name, current.version);
        runs.push(await runTarget(name, current, round + 1, files));
        await current.stop();
        current = undefined;
      }
    }

    // Per target: the samples of every round pooled (percentiles), throughput as the median of the rounds
    const summary = new Map<TargetName, { rps: number; fps: number; mbps: number; wall: number; requests: number; openP50: number; openP95: number; firstP95: number; frameP50: number; frameP95: number }>();
    for (const name of TARGETS) {
      const mine = runs.filter((run) => run.target === name);
      const rates = mine.map((run) => run.requests / (run.wallMs / 1000)).sort((a, b) => a - b);
      const middle = (values: number[]) => values[Math.floor((values.length - 1) / 2)];
      summary.set(name, {
        rps: middle(rates),
        fps: middle(mine.map((run) => run.frames / (run.wallMs / 1000)).sort((a, b) => a - b)),
        mbps: middle(mine.map((run) => run.bytes / 1e6 / (run.wallMs / 1000)).sort((a, b) => a - b)),
        wall: middle(mine.map((run) => run.wallMs).sort((a, b) => a - b)),
        requests: mine[0]?.requests ?? 0,
        openP50: percentile(mine.flatMap((run) => run.openMs), 50),
        openP95: percentile(mine.flatMap((run) => run.openMs), 95),
        firstP95: percentile(mine.flatMap((run) => run.firstImageMs), 95),
        frameP50: percentile(mine.flatMap((run) => run.frameMs), 50),
        frameP95: percentile(mine.flatMap((run) => run.frameMs), 95),
      });
    }
    const header = ['target', 'viewers', 'requests', 'total s', 'req/s', 'frames/s', 'MB/s', 'open p50 s', 'open p95 s', '1st image p95 s', 'frame p50 ms', 'frame p95 ms'];
    const rows = TARGETS.map((name) => {
      const s = summary.get(name)!;
      return [
        `${LABEL[name]} ${versions.get(name) ?? ''}`.trim(),
        String(VIEWERS),
        String(s.requests),
        (s.wall / 1000).toFixed(1),
        s.rps.toFixed(0),
        s.fps.toFixed(0),
        s.mbps.toFixed(0),
        (s.openP50 / 1000).toFixed(2),
        (s.openP95 / 1000).toFixed(2),
        (s.firstP95 / 1000).toFixed(2),
        s.frameP50.toFixed(1),
        s.frameP95.toFixed(1),
      ];
    });
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
    const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
    console.log(`\nthrough HAProxy (deploy/haproxy/telepacs.cfg); ${ROUNDS} round(s): throughput the median of the rounds, percentiles over every sample`);
    console.log(line(header));
    console.log(widths.map((width) => '-'.repeat(width)).join('  '));
    for (const row of rows) console.log(line(row));

    const ratioLine = (label: string, a: TargetName, b: TargetName) => {
      const x = summary.get(a);
      const y = summary.get(b);
      if (!x || !y) return;
      // Throughput: a/b (above 1× = a serves more); p95s: b/a (above 1× = a answers faster)
      console.log(
        `${label.padEnd(28)} req/s ${(x.rps / y.rps).toFixed(2)}×   series-open p95 ${(y.openP95 / x.openP95).toFixed(2)}×   frame p95 ${(y.frameP95 / x.frameP95).toFixed(2)}×`,
      );
    };
    console.log('\nratios (req/s: first/second, above 1× = first serves more; p95: second/first, above 1× = first is faster)');
    ratioLine('2 procs / 1 proc (scaling)', 'telepacs2', 'telepacs1');
    ratioLine('Telepacs 1 proc / Orthanc', 'telepacs1', 'orthanc');
    ratioLine('Telepacs 2 procs / Orthanc', 'telepacs2', 'orthanc');

    writeSamples('cluster-reads', {
      versions: Object.fromEntries(versions),
      settings: { viewers: VIEWERS, opens: OPENS, parallel: PARALLEL, studies: STUDIES, images: IMAGES, size: SIZE, rounds: ROUNDS, cores: spawnSync('nproc', { encoding: 'utf8' }).stdout.trim() },
      runs,
    });
  } finally {
    await stopAll();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
