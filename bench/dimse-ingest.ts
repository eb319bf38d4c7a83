// DIMSE ingest bench: C-STORE by DCMTK storescu into Telepacs, into Orthanc
// (Debian) and into DCMTK storescp writing files (the practical ceiling: no
// index, no fsync).
//
//   npx tsx bench/dimse-ingest.ts [--instances 500] [--size 512] [--rounds 1]
//                                 [--targets telepacs,orthanc,storescp]
//                                 [--database sqlite|postgres] [--cpu-prof] [--keep] [--no-settle]
//
// Makes 2 × rounds different CT series (default 500 images, 512×512, 16-bit)
// with the test fixtures code, written once to a temp dir. Each series is
// stored into every target with one storescu association (TCP_NODELAY=1 on
// both sides), the targets taking turns in a rotating order (T, O, S, then
// O, S, T...), so none always meets the warmest page cache. Before each
// turn, `sync` flushes the dirty pages the previous target left behind
// (--no-settle skips that), so no target pays for another's writeback. Prints images/s
// per target (median), the ratios Telepacs/Orthanc and Telepacs/storescp, and
// afterwards checks that every image is indexed: QIDO on Telepacs must count
// every instance of every series, Orthanc and storescp must hold them all.
// Every server is stopped at the end, also on error and on Ctrl-C.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { freePort, hasDcmtk, startStorescp, storescu, type RunningStorescp } from '../test/support/dcmtk';
import { instanceUids, makeInstance, type InstanceOptions } from '../test/support/fixtures';
import { median } from './support/dicomweb-timing';
import { orthancMissing, startOrthanc, type RunningOrthanc } from './support/orthanc';
import { startTelepacsNode, telepacsMissing, type RunningTelepacs } from './support/telepacs';
import { writeSamples } from './support/samples';

const { values: args } = parseArgs({
  options: {
    instances: { type: 'string', default: '500' },
    size: { type: 'string', default: '512' },
    rounds: { type: 'string', default: '1' },
    targets: { type: 'string', default: 'telepacs,orthanc,storescp' },
    database: { type: 'string', default: 'sqlite' },
    'cpu-prof': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    'no-settle': { type: 'boolean', default: false },
  },
});

function positiveInteger(name: string, value: string | undefined, max: number): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > max) throw new Error(`--${name} must be an integer from 1 to ${max}`);
  return number;
}

type TargetName = 'telepacs' | 'orthanc' | 'storescp';
const TARGET_NAMES: readonly TargetName[] = ['telepacs', 'orthanc', 'storescp'];
const LABEL: Record<TargetName, string> = { telepacs: 'Telepacs', orthanc: 'Orthanc', storescp: 'storescp' };

const INSTANCES = positiveInteger('instances', args.instances, 5000);
const SIZE = positiveInteger('size', args.size, 4096);
const ROUNDS = positiveInteger('rounds', args.rounds, 10);
const SERIES = 2 * ROUNDS;
const WANTED = args.targets.split(',').map((name) => name.trim());
for (const name of WANTED) if (!TARGET_NAMES.includes(name as TargetName)) throw new Error(`--targets: unknown target "${name}"`);
if (args.database !== 'sqlite' && args.database !== 'postgres') throw new Error('--database must be sqlite or postgres');
const DATABASE = args.database;
const PATIENT_ID = 'BENCH-DIMSE';
/** storescu's calling AE title: Telepacs only accepts registered AEs (DICOM_PEERS). */
const SCU_AET = 'BENCH_SCU';
const POSTGRES_ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

interface Target {
  name: TargetName;
  version: string;
  port: number;
  aet: string;
  stop(): Promise<void>;
  /** Instances of one series this target holds (Telepacs: by QIDO, from its index); storescp keeps no index */
  countSeries?(studyUid: string, seriesUid: string): Promise<number>;
  /** Instances held in all (storescp: files written) */
  countAll(): Promise<number>;
}

/** Series `number`: a different series of the same patient and study each time, as from one CT exam. */
function seriesOptions(seriesNumber: number): InstanceOptions {
  return {
    patientId: PATIENT_ID,
    patientName: 'Bench^Dimse',
    accessionNumber: 'BENCH-DIMSE-1',
    studyDescription: 'CT ABDOMEN bench',
    seriesDescription: `Axial 1 mm, series ${seriesNumber}`,
    modality: 'CT',
    rows: SIZE,
    columns: SIZE,
    seriesNumber,
  };
}

/** Writes series `seriesNumber` into its own directory (storescu sends a directory on one association). */
function writeSeries(root: string, seriesNumber: number): string {
  const dir = path.join(root, `series-${seriesNumber}`);
  mkdirSync(dir, { recursive: true });
  for (let i = 1; i <= INSTANCES; i++) {
    writeFileSync(path.join(dir, `${String(i).padStart(5, '0')}.dcm`), makeInstance({ ...seriesOptions(seriesNumber), instanceNumber: i }));
  }
  return dir;
}

async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `telepacs_bench_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE "${name}"`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

function telepacsTarget(node: RunningTelepacs, dicomPort: number): Target {
  return {
    name: 'telepacs',
    version: node.version,
    port: dicomPort,
    aet: 'TELEPACS',
    stop: () => node.stop(),
    async countAll() {
      const response = await fetch(`${node.dicomwebUrl}/studies?PatientID=${PATIENT_ID}&includefield=00201208`, {
        headers: { ...node.headers, accept: 'application/dicom+json' },
      });
      if (!response.ok) throw new Error(`Telepacs QIDO: HTTP ${response.status} ${await response.text()}`);
      const found = (await response.json()) as { '00201208'?: { Value?: number[] } }[];
      return found.reduce((sum, study) => sum + (study['00201208']?.Value?.[0] ?? 0), 0);
    },
    async countSeries(studyUid, seriesUid) {
      // QIDO reads the index only: a count here means indexed, not just received.
      const response = await fetch(`${node.dicomwebUrl}/studies/${studyUid}/series?SeriesInstanceUID=${seriesUid}&includefield=00201209`, {
        headers: { ...node.headers, accept: 'application/dicom+json' },
      });
      if (!response.ok) throw new Error(`Telepacs QIDO: HTTP ${response.status} ${await response.text()}`);
      const found = (await response.json()) as { '00201209'?: { Value?: number[] } }[];
      return found[0]?.['00201209']?.Value?.[0] ?? 0;
    },
  };
}

function orthancTarget(orthanc: RunningOrthanc): Target {
  return {
    name: 'orthanc',
    version: orthanc.version,
    port: orthanc.dicomPort,
    aet: orthanc.aet,
    stop: () => orthanc.stop(),
    async countSeries(_studyUid, seriesUid) {
      const found = await orthanc.find('Instance', { SeriesInstanceUID: seriesUid });
      return found.length;
    },
    countAll: async () => (await orthanc.instances()).length,
  };
}

function storescpTarget(scp: RunningStorescp, version: string): Target {
  return {
    name: 'storescp',
    version,
    port: scp.port,
    aet: scp.aet,
    stop: () => scp.stop(),
    countAll: async () => scp.files().length,
  };
}

function formatRate(value: number): string {
  return Number.isFinite(value) ? value.toFixed(0) : '—';
}

async function main(): Promise<void> {
  if (!hasDcmtk()) throw new Error('DCMTK is needed (apt-get install -y dcmtk): storescu is the client for every target');
  const wanted = new Set(WANTED as TargetName[]);
  const problems: Partial<Record<TargetName, string>> = {};
  if (wanted.has('orthanc')) problems.orthanc = orthancMissing({ dicomweb: false });
  if (wanted.has('telepacs')) problems.telepacs = telepacsMissing();
  for (const [name, problem] of Object.entries(problems)) if (problem) console.log(`skipping ${name}: ${problem}`);

  const workDir = mkdtempSync(path.join(tmpdir(), 'telepacs-dimse-bench-'));
  const targets: Target[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  let stopping: Promise<void> | undefined;
  const stopAll = (): Promise<void> => {
    stopping ??= (async () => {
      await Promise.all(targets.map((target) => target.stop().catch(() => undefined)));
      for (const cleanup of cleanups) await cleanup().catch(() => undefined);
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
    const made = Date.now();
    const sourceDir = path.join(workDir, 'source');
    const seriesDirs = Array.from({ length: SERIES }, (_, index) => writeSeries(sourceDir, index + 1));
    const megabytes = (INSTANCES * SERIES * (SIZE * SIZE * 2 + 2000)) / 1e6;
    console.log(`${SERIES} series × ${INSTANCES} CT images ${SIZE}×${SIZE} 16-bit (~${megabytes.toFixed(0)} MB) made in ${((Date.now() - made) / 1000).toFixed(1)} s`);

    if (wanted.has('storescp')) {
      // Default storescp: writes each file as received, no index, no fsync.
      const scp = await startStorescp({ aet: 'STORESCP', dir: path.join(workDir, 'storescp'), accept: 'uncompressed' });
      const version = /v(\d+\.\d+\.\d+)/.exec(spawnSync('storescp', ['--version'], { encoding: 'utf8' }).stdout)?.[1] ?? '?';
      targets.push(storescpTarget(scp, version));
    }
    if (wanted.has('orthanc') && !problems.orthanc) {
      // Default Debian settings (SQLite index, files uncompressed), plus the DICOMweb plugin when present, as deployed.
      const orthanc = await startOrthanc(path.join(workDir, 'orthanc'), { dicomweb: orthancMissing() === undefined });
      targets.push(orthancTarget(orthanc));
    }
    if (wanted.has('telepacs') && !problems.telepacs) {
      const env: Record<string, string> = {
        // The SCU's address is not used for C-STORE; the port only has to be valid.
        DICOM_PEERS: `${SCU_AET}@127.0.0.1:${await freePort()}`,
        DICOM_AET: 'TELEPACS',
      };
      if (DATABASE === 'postgres') {
        const database = await createPostgresDatabase();
        cleanups.push(database.drop);
        env.DATABASE_URL = database.url;
      }
      const profileDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'out', `dimse-ingest-profile-${Date.now()}`);
      const node = await startTelepacsNode(path.join(workDir, 'telepacs'), {
        env,
        nodeArgs: args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
      });
      targets.push(telepacsTarget(node, node.dicomPort));
      if (args['cpu-prof']) console.log(`Telepacs CPU profile: ${path.relative(process.cwd(), profileDir)} (written when it stops)`);
    }
    if (!targets.length) throw new Error('nothing to bench');
    targets.sort((a, b) => TARGET_NAMES.indexOf(a.name) - TARGET_NAMES.indexOf(b.name));
    console.log(targets.map((target) => `${LABEL[target.name]} ${target.version} on port ${target.port}`).join(', '));
    if (targets.some((target) => target.name === 'telepacs')) console.log(`Telepacs database: ${DATABASE}`);

    const rates = new Map<TargetName, number[]>(targets.map((target) => [target.name, []]));
    for (let series = 0; series < SERIES; series++) {
      // Rotate who goes first: T O S, O S T, S T O...
      const order = targets.map((_, index) => targets[(index + series) % targets.length]);
      const line: string[] = [];
      for (const target of order) {
        // The previous target's unsynced writes (storescp and Orthanc do not
        // fsync) would otherwise be written back during the next target's
        // turn and sit in front of its fsyncs: flush them first, untimed.
        if (!args['no-settle']) spawnSync('sync');
        const result = await storescu({ port: target.port, aet: target.aet }, [seriesDirs[series]], { callingAet: SCU_AET, timeoutMs: 900_000 });
        const ok = result.responses.filter((response) => response.ok).length;
        if (result.exitCode !== 0 || ok !== INSTANCES) {
          throw new Error(`${LABEL[target.name]}: storescu exit ${result.exitCode}, ${ok}/${INSTANCES} stored\n${result.stderr.slice(-3000)}`);
        }
        const rate = INSTANCES / (result.ms / 1000);
        rates.get(target.name)?.push(rate);
        line.push(`${LABEL[target.name]} ${(result.ms / 1000).toFixed(2)} s = ${formatRate(rate)} img/s`);
      }
      console.log(`series ${series + 1}: ${line.join(', ')}`);
    }

    // Every image indexed (Telepacs) or held (Orthanc, storescp).
    const studyUid = instanceUids(seriesOptions(1)).studyInstanceUid;
    const verified: string[] = [];
    for (const target of targets) {
      for (let series = 1; series <= SERIES && target.countSeries; series++) {
        const count = await target.countSeries(studyUid, instanceUids(seriesOptions(series)).seriesInstanceUid);
        if (count !== INSTANCES) throw new Error(`${LABEL[target.name]} holds ${count} instances of series ${series}, expected ${INSTANCES}`);
      }
      const total = await target.countAll();
      if (total !== INSTANCES * SERIES) throw new Error(`${LABEL[target.name]} holds ${total} instances, expected ${INSTANCES * SERIES}`);
      verified.push(`${LABEL[target.name]} ${total}`);
    }
    console.log(`verified after the run: ${verified.join(', ')}${targets.some((t) => t.name === 'telepacs') ? ' (Telepacs: QIDO NumberOfSeriesRelatedInstances per series)' : ''}`);

    const medians = new Map(targets.map((target) => [target.name, median(rates.get(target.name) ?? [])]));
    console.log(`\nimages/s, median of ${SERIES} series (${INSTANCES} × ${SIZE}×${SIZE} each, one association per series):`);
    for (const target of targets) {
      const samples = (rates.get(target.name) ?? []).map(formatRate).join(', ');
      console.log(`  ${LABEL[target.name].padEnd(9)} ${formatRate(medians.get(target.name) ?? Number.NaN).padStart(5)}   (${samples})`);
    }
    const telepacs = medians.get('telepacs');
    const orthanc = medians.get('orthanc');
    const storescp = medians.get('storescp');
    if (telepacs !== undefined && orthanc !== undefined) {
      const ratio = telepacs / orthanc;
      console.log(`Telepacs/Orthanc  ${ratio.toFixed(2)}× (goal ≥ 2×, aim 3×): ${ratio >= 2 ? 'MET' : 'NOT MET'}`);
    }
    if (telepacs !== undefined && storescp !== undefined) {
      const ratio = telepacs / storescp;
      console.log(`Telepacs/storescp ${(ratio * 100).toFixed(0)}% (goal ≥ 60%): ${ratio >= 0.6 ? 'MET' : 'NOT MET'}`);
    }
    if (orthanc !== undefined && storescp !== undefined) console.log(`Orthanc/storescp  ${((orthanc / storescp) * 100).toFixed(0)}%`);

    writeSamples('dimse-ingest', {
      targets: targets.map(({ name, version }) => ({ name, version })),
      settings: { instances: INSTANCES, size: SIZE, series: SERIES, database: DATABASE },
      imagesPerSecond: Object.fromEntries(rates),
    });
  } finally {
    await stopAll();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
