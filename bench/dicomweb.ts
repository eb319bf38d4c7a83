// DICOMweb bench, Telepacs against Orthanc (Debian orthanc + orthanc-dicomweb).
//
//   npx tsx bench/dicomweb.ts [--instances 500] [--size 512] [--stow-reps 3]
//                             [--reps 15] [--batch 10] [--concurrency 4] [--keep]
//
// Makes a CT series (default 500 images, 512×512, 16-bit) with the test
// fixtures code, starts both servers on free loopback ports with empty
// storage, stores the series into both by STOW-RS with the same client, then
// times, with several repetitions each and the median reported: STOW of the
// series, QIDO study search by PatientID, WADO-RS series metadata (first
// request after the store, and warm), and one frame. Servers alternate who
// goes first in every repetition, so neither always gets a warmer machine.
// Both servers are stopped at the end, also on error and on Ctrl-C.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { instanceUids, makeInstance, type InstanceOptions } from '../test/support/fixtures';
import { ACCEPT, median, stowAll, timedGetOk, type BenchServer } from './support/dicomweb-timing';
import { orthancMissing, startOrthanc } from './support/orthanc';
import { startTelepacsNode, telepacsMissing } from './support/telepacs';
import { writeSamples } from './support/samples';

interface RunningServer extends BenchServer {
  version: string;
  logFile: string;
  stop(): Promise<void>;
}

const { values: args } = parseArgs({
  options: {
    instances: { type: 'string', default: '500' },
    size: { type: 'string', default: '512' },
    'stow-reps': { type: 'string', default: '3' },
    reps: { type: 'string', default: '15' },
    batch: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '4' },
    keep: { type: 'boolean', default: false },
  },
});

function positiveInteger(name: string, value: string | undefined, max: number): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > max) throw new Error(`--${name} must be an integer from 1 to ${max}`);
  return number;
}

const INSTANCES = positiveInteger('instances', args.instances, 5000);
const SIZE = positiveInteger('size', args.size, 4096);
const STOW_REPS = positiveInteger('stow-reps', args['stow-reps'], 20);
const REPS = positiveInteger('reps', args.reps, 200);
const STOW = { batchSize: positiveInteger('batch', args.batch, 500), concurrency: positiveInteger('concurrency', args.concurrency, 32) };
const PATIENT_ID = 'BENCH-DICOMWEB';

/** Series `seriesNumber` of the one bench study: same patient and study, new series UIDs per STOW repetition. */
function seriesOptions(seriesNumber: number): InstanceOptions {
  return {
    patientId: PATIENT_ID,
    patientName: 'Bench^Dicomweb',
    accessionNumber: 'BENCH-1',
    studyDescription: 'CT CHEST bench',
    seriesDescription: `Axial 1.25 mm, repetition ${seriesNumber}`,
    modality: 'CT',
    rows: SIZE,
    columns: SIZE,
    seriesNumber,
  };
}

function makeSeries(seriesNumber: number): Buffer[] {
  return Array.from({ length: INSTANCES }, (_, i) => makeInstance({ ...seriesOptions(seriesNumber), instanceNumber: i + 1 }));
}

type Operation = 'stow' | 'qido' | 'metadataFirst' | 'metadataWarm' | 'frame';

const OPERATIONS: { key: Operation; label: string; unit: 's' | 'ms' }[] = [
  { key: 'stow', label: `STOW-RS ${INSTANCES} instances`, unit: 's' },
  { key: 'qido', label: 'QIDO-RS /studies?PatientID=', unit: 'ms' },
  { key: 'metadataFirst', label: 'WADO-RS series metadata, first', unit: 'ms' },
  { key: 'metadataWarm', label: 'WADO-RS series metadata, warm', unit: 'ms' },
  { key: 'frame', label: 'WADO-RS frames/1', unit: 'ms' },
];

type Samples = Record<Operation, number[]>;

function emptySamples(): Samples {
  return { stow: [], qido: [], metadataFirst: [], metadataWarm: [], frame: [] };
}

/** Alternate who goes first, so neither server always meets a warmer cache or CPU. */
function inTurn<T>(servers: readonly T[], repetition: number): T[] {
  return repetition % 2 ? [...servers].reverse() : [...servers];
}

function expectJsonArrayLength(server: BenchServer, body: Buffer, expected: number, what: string): void {
  const parsed = JSON.parse(body.toString('utf8')) as unknown;
  const length = Array.isArray(parsed) ? parsed.length : -1;
  if (length !== expected) throw new Error(`${server.name} ${what}: expected ${expected} results, got ${length}`);
}

function formatValue(ms: number, unit: 's' | 'ms'): string {
  if (!Number.isFinite(ms)) return '—';
  return unit === 's' ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
}

function printTable(servers: readonly RunningServer[], samples: Map<string, Samples>): void {
  const orthanc = samples.get('Orthanc');
  const telepacs = samples.get('Telepacs');
  const rows = OPERATIONS.map(({ key, label, unit }) => {
    const o = orthanc ? median(orthanc[key]) : Number.NaN;
    const t = telepacs ? median(telepacs[key]) : Number.NaN;
    const ratio = Number.isFinite(o) && Number.isFinite(t) && t > 0 ? `${(o / t).toFixed(1)}×` : '—';
    const n = Math.max(orthanc?.[key].length ?? 0, telepacs?.[key].length ?? 0);
    return [label, formatValue(o, unit), formatValue(t, unit), ratio, String(n)];
  });
  const header = ['median of n', 'Orthanc', 'Telepacs', 'Orthanc/Telepacs', 'n'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  console.log();
  console.log(servers.map((server) => `${server.name} ${server.version}`).join(' vs '));
  console.log(`${INSTANCES} CT images ${SIZE}×${SIZE} 16-bit; STOW batches of ${STOW.batchSize}, ${STOW.concurrency} in flight`);
  console.log(line(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) console.log(line(row));
  const metadataRatio = orthanc && telepacs ? median(orthanc.metadataWarm) / median(telepacs.metadataWarm) : Number.NaN;
  if (Number.isFinite(metadataRatio)) {
    console.log(`\nseries metadata (warm): ${metadataRatio.toFixed(1)}× faster than Orthanc (goal ≥10×, aim 40×): ${metadataRatio >= 10 ? 'MET' : 'NOT MET'}`);
  }
}

async function main(): Promise<void> {
  const orthancProblem = orthancMissing();
  const telepacsProblem = telepacsMissing();
  if (orthancProblem) console.log(`skipping Orthanc: ${orthancProblem}`);
  if (telepacsProblem) console.log(`skipping Telepacs: ${telepacsProblem}`);
  if (orthancProblem && telepacsProblem) throw new Error('nothing to bench');

  const workDir = mkdtempSync(path.join(tmpdir(), 'telepacs-bench-'));
  const servers: RunningServer[] = [];
  let stopping: Promise<void> | undefined;
  const stopAll = (): Promise<void> => {
    stopping ??= (async () => {
      await Promise.all(servers.map((server) => server.stop().catch(() => undefined)));
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
    if (!orthancProblem) {
      const orthancDir = path.join(workDir, 'orthanc');
      mkdirSync(orthancDir);
      servers.push(await startOrthanc(orthancDir));
    }
    if (!telepacsProblem) {
      const telepacsDir = path.join(workDir, 'telepacs');
      mkdirSync(telepacsDir);
      servers.push(await startTelepacsNode(telepacsDir));
    }
    for (const server of servers) console.log(`${server.name} ${server.version} at ${server.dicomwebUrl} (log: ${server.logFile})`);

    const samples = new Map<string, Samples>(servers.map((server) => [server.name, emptySamples()]));
    const studyUid = instanceUids({ ...seriesOptions(1), instanceNumber: 1 }).studyInstanceUid;

    // STOW: a new series per repetition (same study), so every repetition
    // stores new instances rather than timing the duplicate path.
    for (let repetition = 0; repetition < STOW_REPS; repetition++) {
      const seriesNumber = repetition + 1;
      const generated = Date.now();
      const files = makeSeries(seriesNumber);
      const seriesUid = instanceUids({ ...seriesOptions(seriesNumber), instanceNumber: 1 }).seriesInstanceUid;
      const megabytes = files.reduce((sum, file) => sum + file.length, 0) / 1e6;
      console.log(`\nseries ${seriesNumber}: ${files.length} files, ${megabytes.toFixed(0)} MB, made in ${((Date.now() - generated) / 1000).toFixed(1)} s`);
      for (const server of inTurn(servers, repetition)) {
        const stowMs = await stowAll(server, files, STOW);
        const first = await timedGetOk(server, `/studies/${studyUid}/series/${seriesUid}/metadata`, ACCEPT.json);
        expectJsonArrayLength(server, first.body, INSTANCES, 'series metadata');
        samples.get(server.name)?.stow.push(stowMs);
        samples.get(server.name)?.metadataFirst.push(first.ms);
        console.log(`  ${server.name.padEnd(8)} STOW ${formatValue(stowMs, 's')}, first metadata ${formatValue(first.ms, 'ms')} (${(first.bytes / 1e6).toFixed(2)} MB)`);
      }
    }

    // Reads, all on series 1.
    const series1 = instanceUids({ ...seriesOptions(1), instanceNumber: 1 }).seriesInstanceUid;
    for (let repetition = 0; repetition < REPS; repetition++) {
      // A different instance each time, so a frame test cannot hit one cached answer.
      const instanceNumber = ((repetition * 37) % INSTANCES) + 1;
      const sopUid = instanceUids({ ...seriesOptions(1), instanceNumber }).sopInstanceUid;
      for (const server of inTurn(servers, repetition)) {
        const taken = samples.get(server.name);
        if (!taken) continue;
        const qido = await timedGetOk(server, `/studies?PatientID=${PATIENT_ID}`, ACCEPT.json);
        expectJsonArrayLength(server, qido.body, 1, 'QIDO studies');
        taken.qido.push(qido.ms);
        const metadata = await timedGetOk(server, `/studies/${studyUid}/series/${series1}/metadata`, ACCEPT.json);
        taken.metadataWarm.push(metadata.ms);
        const frame = await timedGetOk(server, `/studies/${studyUid}/series/${series1}/instances/${sopUid}/frames/1`, ACCEPT.nativeFrame);
        if (frame.bytes < SIZE * SIZE * 2) throw new Error(`${server.name} frame: ${frame.bytes} bytes, expected at least ${SIZE * SIZE * 2}`);
        taken.frame.push(frame.ms);
      }
    }

    printTable(servers, samples);
    writeSamples('dicomweb', {
      servers: servers.map(({ name, version }) => ({ name, version })),
      settings: { instances: INSTANCES, size: SIZE, stowReps: STOW_REPS, reps: REPS, ...STOW },
      samplesMs: Object.fromEntries(samples),
    });
  } finally {
    await stopAll();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
