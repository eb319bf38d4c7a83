// bench/hl7-update: how long the HIS waits for the ACK of a demographics update
// (ADT^A08) of a patient whose images are stored (issue 18). The update rewrites
// the patient attributes of the patient's studies in the index (Study.attributes,
// Instance.metadata) and bumps their series' metadata versions before the ACK.
//
// A node (no portal) on a fresh database (SQLite; TEST_DATABASE=postgres for
// PostgreSQL) with HL7_PORT; one patient with one CT series of --images images
// (64×64, ingested through archive.ingest); then --reps times an A08 that changes
// the name, sent with Debian's mllp_send (python3-hl7), timed from the client's
// start to its exit with the AA (so the client's start-up is in the figure too).
//
//   npx tsx bench/hl7-update.ts                    # 500 images, 5 updates
//   TEST_DATABASE=postgres npx tsx bench/hl7-update.ts --images 500 --reps 5
//
// No peer product takes HL7 here (Orthanc has no HL7 listener): the figures are absolute.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { makeStudy } from '../test/support/fixtures';
import { startTestServer } from '../test/support/test-server';

const { values } = parseArgs({ options: { images: { type: 'string', default: '500' }, reps: { type: 'string', default: '5' } } });
const images = Number(values.images);
const reps = Number(values.reps);

const server = await startTestServer({ env: { HL7_PORT: '0', HL7_SENDERS: 'HIS^HOSPITAL' } });
const dir = mkdtempSync(path.join(tmpdir(), 'bench-hl7-'));
try {
  const home = server.node.firstRun.facilityId;
  const ct = makeStudy({ series: 1, instancesPerSeries: images, seed: 'bench-hl7', patientId: 'MRN100', patientName: 'Doe^Jon', modality: 'CT', rows: 64, columns: 64 });
  for (const file of ct) await server.node.archive.ingest(file, { kind: 'import', source: 'bench' }, home);
  const times: number[] = [];
  for (let rep = 0; rep < reps; rep += 1) {
    const file = path.join(dir, `a08-${rep}.hl7`);
    writeFileSync(file, `MSH|^~\\&|HIS|HOSPITAL|TELEPACS|HOSPITAL|20261207080000||ADT^A08^ADT_A01|BENCH${rep}|P|2.5.1\rEVN|A08\rPID|1||MRN100^^^HOSPITAL^MR||DOE^JOHN^V${rep}||19700102|M\r`);
    const started = performance.now();
    const { stdout } = await promisify(execFile)('mllp_send', ['--loose', '-p', String(server.node.hl7Port), '-f', file, '127.0.0.1']);
    times.push(performance.now() - started);
    if (!stdout.includes('MSA|AA|')) throw new Error(`no AA: ${JSON.stringify(stdout)}`);
  }
  times.sort((a, b) => a - b);
  const database = process.env.TEST_DATABASE === 'postgres' ? 'PostgreSQL' : 'SQLite';
  console.log(`A08 of a patient with ${images} images (${database}), mllp_send start to AA, ${reps} updates: median ${times[Math.floor(reps / 2)].toFixed(0)} ms, min ${times[0].toFixed(0)} ms, max ${times[reps - 1].toFixed(0)} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
  await server.stop();
}
