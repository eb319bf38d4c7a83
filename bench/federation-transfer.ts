// bench/federation-transfer: a study sent from one node to another (issue 19), Telepacs A → B
// against Orthanc O1 → O2 in the same run.
//
//   npx tsx bench/federation-transfer.ts                       # 3 series × 500 CT images 512×512, 16-bit
//   npx tsx bench/federation-transfer.ts --reps 1 --instances 50 --size 256   # a quick look
//   TEST_DATABASE=postgres npx tsx bench/federation-transfer.ts                # both nodes on PostgreSQL
//
// One study of --reps series of --instances images (the test fixtures' makeInstance) is loaded
// untimed into node A (by STOW-RS) and into Orthanc O1 (the same). A and B are two whole
// Telepacs processes with their portal (test/support/node-process.ts), paired through the admin
// API; A records the patient's consent to the transfer to B's facility. Each repetition sends a
// series that the destination has never held (so every one goes to a fresh destination):
//   - Telepacs: POST /api/federation/transfers {studyInstanceUid, facilityId, seriesUids: [one]}
//     at A, timed until the transfer row is DONE (watched in A's database: polling A's portal
//     would take A's CPU; GET /api/federation/transfers/{id} then must say DONE, 500/500).
//     The durable job: inventory, signed STOW-RS batches with every instance's SHA-256 checked
//     at A against the stored hash and at B against the signed manifest, progress rows;
//   - Orthanc DICOMweb: POST /dicom-web/servers/o2/stow {Resources: [series], Synchronous: true}
//     at O1 (its STOW-RS client, the same protocol Telepacs uses; no integrity check);
//   - Orthanc peers: POST /peers/o2/store (synchronous), one POST /instances per image,
//     on a second series id, so the destination is fresh for it too: a second Orthanc row;
//   - for reference, B's own ingest: the bench stores another new series straight into B by
//     STOW-RS (its DICOMweb, the administrator), in the job's shape (IN_FLIGHT requests of
//     BATCH_INSTANCES images): what B can take in, without the federation layer or A.
// Every target then must hold all images of the series (B: its index, O2: /tools/find).
// The targets take turns going first; the disk is settled (sync, untimed) before each turn.
// Options: --targets telepacs,orthanc-stow,orthanc-peers,telepacs-stow (a subset), --no-settle,
// --cpu-prof (V8 profiles of A and B under bench/out/federation-transfer-profile-*/).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { instanceUids, makeInstance, type InstanceOptions } from '../test/support/fixtures';
import { startNodeProcess, type NodeProcess } from '../test/support/node-process';
import { testDatabaseKind } from '../test/support/test-database';
import { BATCH_INSTANCES, IN_FLIGHT } from '../lib/federation/transfers/send-study-job';
import { median, stowAll } from './support/dicomweb-timing';
import { orthancMissing, startOrthanc, type RunningOrthanc } from './support/orthanc';
import { writeSamples } from './support/samples';

const { values: args } = parseArgs({
  options: {
    instances: { type: 'string', default: '500' },
    size: { type: 'string', default: '512' },
    reps: { type: 'string', default: '3' },
    targets: { type: 'string', default: 'telepacs,orthanc-stow,orthanc-peers,telepacs-stow' },
    'no-settle': { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
  },
});
const INSTANCES = Number(args.instances);
const SIZE = Number(args.size);
const REPS = Number(args.reps);
const TARGETS = new Set((args.targets ?? '').split(',').map((target) => target.trim()));
const PATIENT_ID = 'BENCH-FEDERATION';
const WAIT_MS = 600_000;

type Target = 'telepacs' | 'orthanc-stow' | 'orthanc-peers' | 'telepacs-stow';
const ALL_TARGETS: Target[] = ['telepacs', 'orthanc-stow', 'orthanc-peers', 'telepacs-stow'];
const LABELS: Record<Target, string> = {
  telepacs: 'Telepacs A→B (federation job)',
  'orthanc-stow': 'Orthanc O1→O2 (DICOMweb STOW client)',
  'orthanc-peers': 'Orthanc O1→O2 (peers)',
  'telepacs-stow': 'bench → B STOW-RS (reference)',
};

/** Series `n` of the one bench study (same patient and study). Orthanc peers get series 1000+n of their own. */
function seriesOptions(seriesNumber: number): InstanceOptions {
  return { patientId: PATIENT_ID, patientName: 'Bench^Federation', accessionNumber: 'BENCH-FED-1', studyDescription: 'CT CHEST federation bench', seriesDescription: `Axial, series ${seriesNumber}`, modality: 'CT', rows: SIZE, columns: SIZE, seriesNumber };
}
const seriesUid = (seriesNumber: number) => instanceUids({ ...seriesOptions(seriesNumber), instanceNumber: 1 }).seriesInstanceUid;
const studyUid = instanceUids({ ...seriesOptions(1), instanceNumber: 1 }).studyInstanceUid;
const makeSeries = (seriesNumber: number) => Array.from({ length: INSTANCES }, (_, i) => makeInstance({ ...seriesOptions(seriesNumber), instanceNumber: i + 1 }));

/**
 * Loads a series (untimed) by STOW-RS, 25 images a request, 2 in flight. A request the server
 * dropped (a keep-alive socket closed under it: undici's "fetch failed") is sent again.
 */
async function load(name: string, dicomwebUrl: string, headers: Record<string, string>, files: Buffer[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await stowAll({ name, dicomwebUrl, headers }, files, { batchSize: 25, concurrency: 2 });
      return;
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      if (attempt >= 3 || !(error instanceof TypeError)) throw error;
      console.log(`  loading into ${name}: ${error.message} (${cause?.code ?? cause?.message ?? '?'}), sending again`);
    }
  }
}

async function settle(): Promise<void> {
  if (!args['no-settle']) await promisify(execFile)('sync');
}

async function json<T>(response: Response, status: number, what: string): Promise<T> {
  const text = await response.text();
  if (response.status !== status) throw new Error(`${what}: HTTP ${response.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = WAIT_MS, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

interface PeerView { id: string; name: string; facilities: { id: string; remoteId: string }[] }
interface TransferView { id: string; status: string; total: number; done: number; lastError: string | null }

/** Pairs A (code maker) and B, and returns B's home facility as mirrored at A once the sync job brought it. */
async function pairNodes(a: NodeProcess, b: NodeProcess): Promise<string> {
  const { code } = await json<{ code: string }>(await a.api('POST', '/api/admin/node/federation/pairing-codes'), 201, 'pairing code');
  await json(await b.api('POST', '/api/admin/node/federation/peers', { code }), 201, 'pairing');
  const peer = await until('B’s facilities mirrored at A', async () => {
    const view = await json<{ peers: PeerView[] }>(await a.api('GET', '/api/admin/node/federation'), 200, 'peers at A');
    return view.peers.find((candidate) => candidate.name === b.name && candidate.facilities.length > 0);
  }, 60_000, 100);
  return peer.facilities[0].id;
}

async function telepacsTransfer(a: NodeProcess, b: NodeProcess, destination: string, series: string): Promise<number> {
  const started = performance.now();
  const created = await json<TransferView>(await a.api('POST', '/api/federation/transfers', { studyInstanceUid: studyUid, facilityId: destination, seriesUids: [series] }), 201, 'transfer');
  // Watched in A's database (the bench's read-only eyes), not by polling A's API: 50 requests a
  // second through A's portal would take the CPU the transfer needs. The API confirms after.
  await until('the transfer to be DONE', async () => {
    const row = await a.db.federatedTransfer.findUniqueOrThrow({ where: { id: created.id }, select: { status: true, lastError: true } });
    if (row.status === 'FAILED' || row.status === 'CANCELLED') throw new Error(`transfer ${row.status}: ${row.lastError}`);
    return row.status === 'DONE';
  });
  const ms = performance.now() - started;
  const done = await json<TransferView>(await a.api('GET', `/api/federation/transfers/${created.id}`), 200, 'transfer view');
  if (done.status !== 'DONE' || done.done !== INSTANCES) throw new Error(`transfer DONE with ${done.done}/${INSTANCES}`);
  const held = await b.db.instance.count({ where: { series: { seriesInstanceUid: series, study: { studyInstanceUid: studyUid, facility: { nodePeerId: null } } } } });
  if (held !== INSTANCES) throw new Error(`B holds ${held} of the ${INSTANCES} images of series ${series}`);
  return ms;
}

/**
 * The reference row: a new series (made untimed) stored straight into B, in the federation job's
 * request shape. A request dropped on a reused keep-alive socket (undici's "fetch failed", seen on
 * this loaded machine) voids the sample: it is taken again on another new series.
 */
async function stowIntoB(b: NodeProcess, repetition: number): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const seriesNumber = 2001 + repetition + attempt * 100;
    const files = makeSeries(seriesNumber);
    let ms: number;
    try {
      ms = await stowAll({ name: 'B', dicomwebUrl: `${b.url}/dicomweb`, headers: { authorization: b.adminAuthorization } }, files, { batchSize: BATCH_INSTANCES, concurrency: IN_FLIGHT });
    } catch (error) {
      if (attempt >= 2 || !(error instanceof TypeError)) throw error;
      console.log(`  STOW-RS into B: ${error.message} (${(error as { cause?: { code?: string } }).cause?.code ?? '?'}): sample void, again on a new series`);
      continue;
    }
    const held = await b.db.instance.count({ where: { series: { seriesInstanceUid: seriesUid(seriesNumber) } } });
    if (held !== INSTANCES) throw new Error(`B holds ${held} of the ${INSTANCES} images stored by STOW-RS`);
    return ms;
  }
}

async function orthancSeriesId(orthanc: RunningOrthanc, series: string): Promise<string> {
  const found = await orthanc.find('Series', { SeriesInstanceUID: series });
  if (found.length !== 1) throw new Error(`${orthanc.url}: series ${series} found ${found.length} times`);
  return found[0].ID;
}

async function orthancTransfer(o1: RunningOrthanc, o2: RunningOrthanc, how: 'orthanc-stow' | 'orthanc-peers', series: string): Promise<number> {
  const id = await orthancSeriesId(o1, series);
  const started = performance.now();
  if (how === 'orthanc-stow') await o1.postJson('/dicom-web/servers/o2/stow', { Resources: [id], Synchronous: true });
  else await o1.postJson('/peers/o2/store', { Resources: [id], Synchronous: true });
  const ms = performance.now() - started;
  const held = (await o2.find('Instance', { SeriesInstanceUID: series })).length;
  if (held !== INSTANCES) throw new Error(`O2 holds ${held} of the ${INSTANCES} images of series ${series} (${how})`);
  return ms;
}

const formatS = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : '—');
const rate = (ms: number) => (Number.isFinite(ms) ? `${((INSTANCES / ms) * 1000).toFixed(0)}` : '—');

async function main(): Promise<void> {
  const wanted = ALL_TARGETS.filter((target) => TARGETS.has(target));
  const orthancProblem = orthancMissing();
  const targets = wanted.filter((target) => target.startsWith('telepacs') || !orthancProblem);
  if (orthancProblem && targets.length < wanted.length) console.log(`skipping Orthanc: ${orthancProblem}`);
  const database = testDatabaseKind();
  const workDir = mkdtempSync(path.join(tmpdir(), 'telepacs-bench-federation-'));
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    await Promise.all(stops.map((stop) => stop().catch(() => undefined)));
    rmSync(workDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    const useTelepacs = targets.some((target) => target.startsWith('telepacs'));
    const useOrthanc = targets.some((target) => target.startsWith('orthanc'));
    // Series 1..REPS for Telepacs and Orthanc's STOW client, 1001..1000+REPS for Orthanc's peers
    const seriesNumbers = Array.from({ length: REPS }, (_, i) => i + 1);
    const peerSeriesNumbers = targets.includes('orthanc-peers') ? seriesNumbers.map((n) => n + 1000) : [];

    let a: NodeProcess | undefined;
    let b: NodeProcess | undefined;
    let destination = '';
    if (useTelepacs) {
      // A first (it builds the portal when this checkout's build is stale), then B
      // --cpu-prof: each node writes a V8 profile into bench/out/federation-transfer-profile-*/{a,b} when stopped
      const profileDir = `bench/out/federation-transfer-profile-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      const nodeArgs = (node: string) => (args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir, node)}`] : []);
      a = await startNodeProcess({ name: 'Bench node A', database, env: { TCP_NODELAY: '1' }, nodeArgs: nodeArgs('a') });
      stops.push(() => a!.stop());
      b = await startNodeProcess({ name: 'Bench node B', database, env: { TCP_NODELAY: '1' }, nodeArgs: nodeArgs('b') });
      stops.push(() => b!.stop());
      destination = await pairNodes(a, b);
      console.log(`Telepacs A ${a.url} and B ${b.url} paired (${database})`);
    }
    let o1: RunningOrthanc | undefined;
    let o2: RunningOrthanc | undefined;
    if (useOrthanc) {
      o2 = await startOrthanc(path.join(workDir, 'o2'), { name: 'BENCH-O2', aet: 'BENCHO2' });
      stops.push(() => o2!.stop());
      o1 = await startOrthanc(path.join(workDir, 'o1'), {
        name: 'BENCH-O1',
        aet: 'BENCHO1',
        config: { DicomWeb: { Enable: true, Root: '/dicom-web/', Servers: { o2: [`${o2.dicomwebUrl}/`] } }, OrthancPeers: { o2: [`${o2.url}/`] } },
      });
      stops.push(() => o1!.stop());
      console.log(`Orthanc ${o1.version}: O1 ${o1.url}, O2 ${o2.url}`);
    }

    // Load (untimed): every series into A and O1
    for (const seriesNumber of [...seriesNumbers, ...peerSeriesNumbers]) {
      const files = makeSeries(seriesNumber);
      const loadStarted = performance.now();
      const megabytes = files.reduce((sum, file) => sum + file.length, 0) / 1e6;
      if (a && seriesNumber < 1000) await load('A', `${a.url}/dicomweb`, { authorization: a.adminAuthorization }, files);
      if (o1) await load('O1', o1.dicomwebUrl, {}, files);
      console.log(`series ${seriesNumber}: ${files.length} images, ${megabytes.toFixed(0)} MB loaded in ${formatS(performance.now() - loadStarted)}`);
    }
    if (a) {
      const study = await a.db.study.findFirstOrThrow({ where: { studyInstanceUid: studyUid }, select: { patientRef: true } });
      const consent = await a.api('POST', `/api/patients/${study.patientRef}/consents`, {
        decision: 'PERMIT',
        recipient: { kind: 'FACILITY', facilityId: destination },
        purposes: ['TRANSFER'],
        data: { scope: 'ALL' },
        evidence: { kind: 'VERBAL', witnessName: 'Bench Witness', note: 'Agreed to the transfer (bench).' },
      });
      await json(consent, 201, 'consent');
    }

    const samples: Record<Target, number[]> = { telepacs: [], 'orthanc-stow': [], 'orthanc-peers': [], 'telepacs-stow': [] };
    for (let repetition = 0; repetition < REPS; repetition++) {
      const order = repetition % 2 ? [...targets].reverse() : targets;
      for (const target of order) {
        await settle();
        const ms =
          target === 'telepacs'
            ? await telepacsTransfer(a!, b!, destination, seriesUid(seriesNumbers[repetition]))
            : target === 'telepacs-stow'
              ? await stowIntoB(b!, repetition)
              : await orthancTransfer(o1!, o2!, target, seriesUid(target === 'orthanc-peers' ? peerSeriesNumbers[repetition] : seriesNumbers[repetition]));
        samples[target].push(ms);
        console.log(`  rep ${repetition + 1} ${LABELS[target].padEnd(40)} ${formatS(ms)}  ${rate(ms)} images/s`);
      }
    }

    console.log(`\n${INSTANCES} CT images ${SIZE}×${SIZE} 16-bit per transfer, ${REPS} repetitions, Telepacs on ${database} (batches of ${BATCH_INSTANCES}, ${IN_FLIGHT} in flight)`);
    console.log(`${'median'.padEnd(40)}  ${'time'.padStart(8)}  ${'images/s'.padStart(8)}  samples`);
    for (const target of targets) {
      const m = median(samples[target]);
      console.log(`${LABELS[target].padEnd(40)}  ${formatS(m).padStart(8)}  ${rate(m).padStart(8)}  ${samples[target].map((ms) => (ms / 1000).toFixed(2)).join(', ')}`);
    }
    const telepacs = median(samples.telepacs);
    for (const other of ['orthanc-stow', 'orthanc-peers'] as const) {
      const orthanc = median(samples[other]);
      if (Number.isFinite(telepacs) && Number.isFinite(orthanc)) console.log(`Telepacs/Orthanc (${other === 'orthanc-stow' ? 'DICOMweb' : 'peers'}), images/s: ${(orthanc / telepacs).toFixed(2)}×`);
    }
    writeSamples('federation-transfer', { settings: { instances: INSTANCES, size: SIZE, reps: REPS, database, orthanc: o1?.version }, samplesMs: samples });
  } finally {
    await stopAll();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack ?? error.message : error);
  process.exitCode = 1;
});
