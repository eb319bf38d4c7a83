// What the audit journal costs on the hot path: WADO-RS frame requests (each
// one audited) against one headless node, in alternating rounds with the
// journal on (DATA_DIR/audit-journal, the default) and off (the same queue
// without its journal: events wait in memory only, as before issue 13), and
// the cost of enqueue() alone.
//
//   npx tsx bench/audit-journal.ts [--requests 400] [--rounds 6]
//
// Client and server share one process (the difference is what is measured:
// both modes pay the same client cost). Raw samples go to bench/out/.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AuditQueue, auditQueueFor } from '../lib/audit/audit-queue';
import { AuditJournal } from '../lib/audit/audit-journal';
import { loadConfig } from '../lib/config/config';
import { startTelepacs } from '../lib/server/start';
import { silentLogger } from '../pacs-core/logger';
import { makeStudy } from '../test/support/fixtures';
import { stowBody } from '../test/support/stow';
import { basicAuthHeader } from '../test/support/dicomweb-client';
import { median } from './support/dicomweb-timing';
import { writeSamples } from './support/samples';

const { values: args } = parseArgs({ options: { requests: { type: 'string', default: '400' }, rounds: { type: 'string', default: '6' } } });
const REQUESTS = Number(args.requests);
const ROUNDS = Number(args.rounds);

const dataDir = mkdtempSync(path.join(tmpdir(), 'telepacs-bench-audit-'));
const config = loadConfig({ PORT: '0', DICOM_PORT: '0', DATA_DIR: dataDir, ADMIN_EMAIL: 'bench@telepacs.test', ADMIN_PASSWORD: 'bench password 1' });
const node = await startTelepacs({ config, portal: false, logger: silentLogger });
const authorization = basicAuthHeader('bench@telepacs.test', 'bench password 1');
try {
  const study = makeStudy({ patientId: 'BENCH-AUDIT', patientName: 'Bench^Audit', series: 1, instancesPerSeries: 1, rows: 256, columns: 256, seed: 'bench-audit' });
  const { body, contentType } = stowBody(study);
  const stored = await fetch(`${node.dicomwebUrl}/studies`, { method: 'POST', headers: { 'content-type': contentType, authorization }, body: new Uint8Array(body) });
  if (stored.status !== 200) throw new Error(`STOW answered ${stored.status}`);
  const frameUrl = `${node.dicomwebUrl}/studies/${study.studyInstanceUid}/series/${study.seriesInstanceUids[0]}/instances/${study.sopInstanceUids[0][0]}/frames/1`;
  const headers = { authorization, accept: 'multipart/related; type="application/octet-stream"; transfer-syntax=*' };

  const journalled = auditQueueFor(node.runtime);
  const inMemory = new AuditQueue(node.db, silentLogger);
  const useQueue = (queue: AuditQueue) => node.runtime.shared.set('audit-queue', queue);

  async function round(): Promise<number[]> {
    const times: number[] = [];
    for (let n = 0; n < REQUESTS; n++) {
      const start = process.hrtime.bigint();
      const response = await fetch(frameUrl, { headers });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`frame answered ${response.status}`);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    return times;
  }

  await round(); // warm-up: caches, JIT, connections
  const samples = { journal: [] as number[], memory: [] as number[] };
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate who goes first, so neither always gets the warmer machine
    for (const mode of r % 2 ? (['memory', 'journal'] as const) : (['journal', 'memory'] as const)) {
      useQueue(mode === 'journal' ? journalled : inMemory);
      samples[mode].push(...(await round()));
      await (mode === "journal" ? journalled : inMemory).flush();
    }
  }
  useQueue(journalled);

  // enqueue() alone: stamping and building the row, with and without the journal write
  const event = { actor: 'bench@telepacs.test', action: 'dicomweb.wado' as const, outcome: 'SUCCESS' as const, studyUid: study.studyInstanceUid, resource: new URL(frameUrl).pathname, sourceIp: '127.0.0.1' };
  const enqueueCost = async (queue: AuditQueue) => {
    const count = 20_000;
    const start = process.hrtime.bigint();
    for (let n = 0; n < count; n++) queue.enqueue(event);
    const micros = Number(process.hrtime.bigint() - start) / 1e3 / count;
    await queue.flush();
    return micros;
  };
  const benchJournal = new AuditQueue(node.db, silentLogger, new AuditJournal(path.join(dataDir, 'bench-journal'), silentLogger));
  const enqueueUs = { journal: await enqueueCost(benchJournal), memory: await enqueueCost(inMemory) };

  const result = {
    requestsPerMode: samples.journal.length,
    frameMedianMs: { journal: median(samples.journal), memory: median(samples.memory) },
    frameMeanMs: { journal: mean(samples.journal), memory: mean(samples.memory) },
    enqueueMicroseconds: enqueueUs,
  };
  console.log(JSON.stringify(result, null, 2));
  writeSamples('audit-journal', { ...result, samples });
} finally {
  await node.close();
  rmSync(dataDir, { recursive: true, force: true });
}

function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}
