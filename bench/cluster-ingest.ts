// Scale-out ingest bench (issue 20, figure "Ingest"): 4 modalities send at
// once by C-STORE (DCMTK storescu, one association each, all 4 concurrent)
// into Telepacs as 1 process, into Telepacs as 2 processes (TELEPACS_WORKERS=2,
// node:cluster, lib/server/cluster.ts) and into Orthanc (Debian), in one run.
//
//   npx tsx bench/cluster-ingest.ts [--rounds 1] [--ct 500] [--mr 200] [--keep] [--no-settle]
//
// The load: 2 CT series of --ct images (512×512, 16-bit) and 2 MR series of
// --mr images (256×256, 16-bit), each from its own modality (calling AEs
// MOD1..MOD4, different patients), made once with the test fixtures code and
// written to a temp dir. Each target is started fresh for its turn (Telepacs:
// `server.ts` as `npm start` runs it, with PostgreSQL in a new database, Redis,
// a new DATA_DIR; Orthanc: default Debian settings, SQLite index), gets the 4
// associations at once, is timed from the start of the first to the end of
// the last, is checked (every image must be indexed: Telepacs by counting the
// Instance rows in its database, Orthanc by /statistics), and is stopped
// before the next one starts: the machine may have only 2 cores, two servers
// at once would share them. The order rotates per round (T1 T2 O, T2 O T1...)
// and `sync` flushes the previous target's dirty pages before each turn
// (--no-settle skips that). Prints images/s per target (median over rounds)
// and the ratios Telepacs 1 proc/Orthanc, 2 procs/Orthanc, 2 procs/1 proc
// (goal: 2 procs ≥ 2× Orthanc). Every server is stopped and every database
// dropped at the end, also on error and on Ctrl-C.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { freePort, hasDcmtk, killOnExit, stopProcess, storescu } from '../test/support/dcmtk';
import { instanceUids, makeInstance, type InstanceOptions } from '../test/support/fixtures';
import { median } from './support/dicomweb-timing';
import { orthancMissing, startOrthanc } from './support/orthanc';
import { writeSamples } from './support/samples';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '1' },
    ct: { type: 'string', default: '500' },
    mr: { type: 'string', default: '200' },
    keep: { type: 'boolean', default: false },
    'no-settle': { type: 'boolean', default: false },
  },
});

function positiveInteger(name: string, value: string | undefined, max: number): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > max) throw new Error(`--${name} must be an integer from 1 to ${max}`);
  return number;
}

const ROUNDS = positiveInteger('rounds', args.rounds, 10);
const CT_IMAGES = positiveInteger('ct', args.ct, 5000);
const MR_IMAGES = positiveInteger('mr', args.mr, 5000);
const POSTGRES_ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ADMIN_EMAIL = 'bench@telepacs.local';
const ADMIN_PASSWORD = 'correct horse battery staple';
const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** One modality and the series it sends on its own association. */
interface Modality {
  aet: string;
  images: number;
  options: InstanceOptions;
  dir: string;
}

function modalityOptions(index: number): InstanceOptions {
  const ct = index < 2;
  const n = index + 1;
  return {
    patientId: `BENCH-CLUSTER-${n}`,
    patientName: `Bench^Cluster${n}`,
    accessionNumber: `BENCH-CLUSTER-${n}`,
    studyDescription: ct ? 'CT ABDOMEN bench' : 'MR BRAIN bench',
    seriesDescription: ct ? 'Axial 1 mm' : 'T2 axial',
    modality: ct ? 'CT' : 'MR',
    rows: ct ? 512 : 256,
    columns: ct ? 512 : 256,
    bitsAllocated: 16,
    seriesNumber: 1,
  };
}

function writeModality(root: string, index: number): Modality {
  const options = modalityOptions(index);
  const images = index < 2 ? CT_IMAGES : MR_IMAGES;
  const dir = path.join(root, `mod${index + 1}`);
  mkdirSync(dir, { recursive: true });
  for (let i = 1; i <= images; i++) {
    writeFileSync(path.join(dir, `${String(i).padStart(5, '0')}.dcm`), makeInstance({ ...options, instanceNumber: i }));
  }
  return { aet: `MOD${index + 1}`, images, options, dir };
}

async function createPostgresDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
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
  return { url: url.toString(), name, drop: () => run(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

type TargetName = 'telepacs1' | 'telepacs2' | 'orthanc';
const TARGET_NAMES: readonly TargetName[] = ['telepacs1', 'telepacs2', 'orthanc'];
const LABEL: Record<TargetName, string> = { telepacs1: 'Telepacs 1 proc', telepacs2: 'Telepacs 2 procs', orthanc: 'Orthanc' };

interface RunningTarget {
  version: string;
  port: number;
  aet: string;
  /** Instances of each modality's series the target has indexed, in modality order */
  countSeries(modalities: readonly Modality[]): Promise<number[]>;
  /** Instances indexed in all */
  countAll(): Promise<number>;
  /** The server's processes (Telepacs: the primary and its workers), for the CPU notes */
  pids(): number[];
  stop(): Promise<void>;
}

/** `server.ts` as `npm start` runs it, with TELEPACS_WORKERS=workers; ready when the sign-in banner is printed. */
async function startTelepacsServer(workDir: string, workers: number, modalities: readonly Modality[]): Promise<RunningTarget> {
  mkdirSync(workDir, { recursive: true });
  const database = await createPostgresDatabase();
  const logFile = path.join(workDir, 'telepacs.log');
  const log = createWriteStream(logFile);
  const dicomPort = await freePort();
  const httpPort = await freePort();
  // The SCUs' own ports: only used by C-MOVE, never here; the AE titles must be registered.
  const peers: string[] = [];
  for (const modality of modalities) peers.push(`${modality.aet}@127.0.0.1:${await freePort()}`);
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
    cwd: projectRoot,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      TCP_NODELAY: '1',
      TELEPACS_WORKERS: String(workers),
      DATABASE_URL: database.url,
      REDIS_URL,
      DATA_DIR: path.join(workDir, 'data'),
      PORT: String(httpPort),
      DICOM_PORT: String(dicomPort),
      DICOM_AET: 'TELEPACS',
      DICOM_PEERS: peers.join(','),
      ADMIN_EMAIL,
      ADMIN_PASSWORD,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const unguard = killOnExit(child);
  child.stderr?.pipe(log, { end: false });
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      // SIGTERM to the primary: it stops its workers and exits.
      await stopProcess(child, 30_000);
      unguard();
      log.end();
      await database.drop().catch((error: unknown) => console.error(`dropping ${database.name}: ${error instanceof Error ? error.message : String(error)}`));
    })();
    return stopped;
  };
  const lines = createInterface({ input: child.stdout! });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      new Promise<void>((resolve, reject) => {
        lines.on('line', (line) => {
          log.write(`${line}\n`);
          if (line.includes('Telepacs is running')) resolve();
        });
        child.once('exit', (code, signal) => reject(new Error(`Telepacs (${workers} proc) exited with ${code ?? signal} while starting`)));
      }),
      new Promise<never>((_, reject) => {
        // A portal build, when the existing one is stale, takes minutes.
        timer = setTimeout(() => reject(new Error('Telepacs: no sign-in banner after 600 s')), 600_000);
      }),
    ]);
  } catch (error) {
    await stop();
    const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n') : '';
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- telepacs.log (tail)\n${tail}`);
  } finally {
    clearTimeout(timer);
  }
  const version = (JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  // Indexed = a row in the database every process writes to (what QIDO reads).
  const query = async <T extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<T[]> => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query<T>(sql, values)).rows;
    } finally {
      await client.end();
    }
  };
  return {
    version,
    port: dicomPort,
    aet: 'TELEPACS',
    stop,
    pids: () => processTree(child.pid),
    async countAll() {
      const [row] = await query<{ count: string }>('SELECT count(*) AS count FROM "Instance"');
      return Number(row.count);
    },
    async countSeries(list) {
      const uids = list.map((modality) => instanceUids(modality.options).seriesInstanceUid);
      const rows = await query<{ uid: string; count: string }>(
        'SELECT s."seriesInstanceUid" AS uid, count(i.id) AS count FROM "Series" s JOIN "Instance" i ON i."seriesRef" = s.id WHERE s."seriesInstanceUid" = ANY($1) GROUP BY s."seriesInstanceUid"',
        [uids],
      );
      return uids.map((uid) => Number(rows.find((row) => row.uid === uid)?.count ?? 0));
    },
  };
}

async function startOrthancTarget(workDir: string): Promise<RunningTarget> {
  // Default Debian settings (SQLite index, files uncompressed); DIMSE and REST only.
  const orthanc = await startOrthanc(workDir, { dicomweb: false });
  return {
    version: orthanc.version,
    port: orthanc.dicomPort,
    aet: orthanc.aet,
    stop: () => orthanc.stop(),
    pids: () => spawnSync('pgrep', ['-x', 'Orthanc'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number),
    async countAll() {
      return (await orthanc.getJson<{ CountInstances: number }>('/statistics')).CountInstances;
    },
    async countSeries(list) {
      const counts: number[] = [];
      for (const modality of list) {
        counts.push((await orthanc.find('Instance', { SeriesInstanceUID: instanceUids(modality.options).seriesInstanceUid })).length);
      }
      return counts;
    },
  };
}

function formatRate(value: number): string {
  return Number.isFinite(value) ? value.toFixed(0) : '—';
}

/** CPU seconds (user + system) used so far by these processes (for the notes, not the figure). */
function cpuSecondsOf(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone
    }
  }
  return ticks / 100;
}

/** CPU seconds of this process's terminated, waited-for children (cutime + cstime). */
function childrenCpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** The pids of `root` and all its descendants (the primary and its workers), from /proc. */
function processTree(root: number | undefined): number[] {
  if (root === undefined) return [];
  const out = spawnSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' }).stdout;
  const children = new Map<number, number[]>();
  for (const line of out.split('\n')) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (!pid) continue;
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const all: number[] = [];
  const walk = (pid: number) => {
    all.push(pid);
    for (const child of children.get(pid) ?? []) walk(child);
  };
  walk(root);
  return all;
}

function postgresPids(): number[] {
  return spawnSync('pgrep', ['-x', 'postgres'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number);
}

async function main(): Promise<void> {
  if (!hasDcmtk()) throw new Error('DCMTK is needed (apt-get install -y dcmtk): storescu is the client for every target');
  const orthancProblem = orthancMissing({ dicomweb: false });
  if (orthancProblem) throw new Error(orthancProblem);

  const workDir = mkdtempSync(path.join(tmpdir(), 'telepacs-cluster-bench-'));
  let current: RunningTarget | undefined;
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
    const modalities = [0, 1, 2, 3].map((index) => writeModality(path.join(workDir, 'source'), index));
    const total = modalities.reduce((sum, modality) => sum + modality.images, 0);
    const megabytes = modalities.reduce((sum, m) => sum + m.images * ((m.options.rows ?? 0) * (m.options.columns ?? 0) * 2 + 2000), 0) / 1e6;
    console.log(
      `4 modalities: 2 × ${CT_IMAGES} CT 512×512 + 2 × ${MR_IMAGES} MR 256×256, 16-bit = ${total} images (~${megabytes.toFixed(0)} MB), made in ${((performance.now() - made) / 1000).toFixed(1)} s`,
    );

    const rates = new Map<TargetName, number[]>(TARGET_NAMES.map((name) => [name, []]));
    const versions = new Map<TargetName, string>();
    const notes: Record<string, unknown>[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const order = TARGET_NAMES.map((_, index) => TARGET_NAMES[(index + round) % TARGET_NAMES.length]);
      for (const name of order) {
        if (!args['no-settle']) spawnSync('sync');
        const dir = path.join(workDir, `${name}-${round + 1}`);
        const startedAt = performance.now();
        current = name === 'orthanc' ? await startOrthancTarget(dir) : await startTelepacsServer(dir, name === 'telepacs2' ? 2 : 1, modalities);
        const target = current;
        versions.set(name, target.version);
        const startMs = performance.now() - startedAt;
        if (!args['no-settle']) spawnSync('sync');

        // CPU used during the timed part, by the server's processes and by PostgreSQL (for the notes).
        const serverPids = target.pids();
        const pgPids = postgresPids();
        const cpuServer = serverPids.map((pid) => cpuSecondsOf([pid]));
        const cpuPg = cpuSecondsOf(pgPids);
        const cpuClients = childrenCpuSeconds();

        const start = performance.now();
        const results = await Promise.all(
          modalities.map((modality) => storescu({ port: target.port, aet: target.aet }, [modality.dir], { callingAet: modality.aet, timeoutMs: 1_800_000 })),
        );
        const ms = performance.now() - start;
        const cpuPerProcess = serverPids.map((pid, index) => cpuSecondsOf([pid]) - cpuServer[index]);
        const cpuServerUsed = cpuPerProcess.reduce((sum, value) => sum + value, 0);
        const cpuPgUsed = cpuSecondsOf(postgresPids()) - cpuPg;
        // The 4 storescu processes have exited and been waited for: their CPU is in this process's children's times.
        const cpuClientsUsed = childrenCpuSeconds() - cpuClients;

        results.forEach((result, index) => {
          const ok = result.responses.filter((response) => response.ok).length;
          if (result.exitCode !== 0 || ok !== modalities[index].images) {
            throw new Error(`${LABEL[name]}: ${modalities[index].aet} storescu exit ${result.exitCode}, ${ok}/${modalities[index].images} stored\n${result.stderr.slice(-3000)}`);
          }
        });
        // Every image indexed, before the target stops.
        const perSeries = await target.countSeries(modalities);
        perSeries.forEach((count, index) => {
          if (count !== modalities[index].images) throw new Error(`${LABEL[name]} indexed ${count} images of ${modalities[index].aet}'s series, expected ${modalities[index].images}`);
        });
        const held = await target.countAll();
        if (held !== total) throw new Error(`${LABEL[name]} holds ${held} instances, expected ${total}`);
        await target.stop();
        current = undefined;

        const rate = total / (ms / 1000);
        rates.get(name)?.push(rate);
        const perAssociation = results.map((result, index) => `${modalities[index].aet} ${(result.ms / 1000).toFixed(1)}`).join(', ');
        console.log(
          `round ${round + 1}: ${LABEL[name].padEnd(16)} ${(ms / 1000).toFixed(2)} s = ${formatRate(rate)} img/s; verified ${held} indexed; ` +
            `associations (s): ${perAssociation}; CPU s: server ${cpuServerUsed.toFixed(1)}${cpuPerProcess.length > 1 ? ` (${cpuPerProcess.map((value) => value.toFixed(1)).join(' + ')})` : ''}, postgres ${cpuPgUsed.toFixed(1)}, storescu ${cpuClientsUsed.toFixed(1)}; started in ${(startMs / 1000).toFixed(1)} s`,
        );
        notes.push({ round: round + 1, target: name, ms, associationsMs: results.map((r) => r.ms), cpuServer: cpuPerProcess, cpuPostgres: cpuPgUsed, cpuStorescu: cpuClientsUsed });
      }
    }

    const medians = new Map(TARGET_NAMES.map((name) => [name, median(rates.get(name) ?? [])]));
    console.log(`\nimages/s, 4 concurrent associations, ${total} images, median of ${ROUNDS} round(s):`);
    for (const name of TARGET_NAMES) {
      const samples = (rates.get(name) ?? []).map(formatRate).join(', ');
      console.log(`  ${LABEL[name].padEnd(16)} ${formatRate(medians.get(name) ?? Number.NaN).padStart(5)}   (${samples})  ${versions.get(name) ?? ''}`);
    }
    const one = medians.get('telepacs1') ?? Number.NaN;
    const two = medians.get('telepacs2') ?? Number.NaN;
    const orthanc = medians.get('orthanc') ?? Number.NaN;
    console.log(`Telepacs 1 proc / Orthanc   ${(one / orthanc).toFixed(2)}×`);
    console.log(`Telepacs 2 procs / Orthanc  ${(two / orthanc).toFixed(2)}× (goal ≥ 2×): ${two / orthanc >= 2 ? 'MET' : 'NOT MET'}`);
    console.log(`Telepacs 2 procs / 1 proc   ${(two / one).toFixed(2)}×`);

    writeSamples('cluster-ingest', {
      versions: Object.fromEntries(versions),
      settings: { rounds: ROUNDS, ct: CT_IMAGES, mr: MR_IMAGES, cores: spawnSync('nproc', { encoding: 'utf8' }).stdout.trim() },
      imagesPerSecond: Object.fromEntries(rates),
      notes,
    });
  } finally {
    await stopAll();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
