// Per-step cost of a cached series metadata request, in process.
import { PassThrough } from 'node:stream';
import { authenticateRequest } from '../lib/auth';
import { getSeriesMetadata } from '../pacs-core/dicomweb/series-metadata-cache';
import { auditRetrieve, lookupForRead } from '../pacs-core/dicomweb/wado-lookup';
import type { DicomwebRequest } from '../pacs-core/dicomweb/types';
import { median } from './support/dicomweb-timing';
import { makeInstance } from '../test/support/fixtures';
import { startTestServer } from '../test/support/test-server';
const server = await startTestServer();
const facilityId = (await server.node.db.facility.findFirstOrThrow()).id;
let r;
for (let i = 0; i < 500; i++) {
  r = await server.node.archive.ingest(makeInstance({ patientId: 'META', seed: 'steps', rows: 512, columns: 512, instanceNumber: i + 1, seriesNumber: 1 }), { kind: 'stow', principalLabel: 'p' }, facilityId);
}
const headers = { authorization: server.adminAuthorization, host: 'localhost' };
const steps: Record<string, number[]> = { authenticate: [], lookup: [], cacheRead: [], audit: [] };
for (let i = 0; i < 30; i++) {
  let t = performance.now();
  const principal = (await authenticateRequest({ headers, method: 'GET', remoteAddress: '127.0.0.1', secure: false }, server.node.runtime))!;
  steps.authenticate.push(performance.now() - t);
  const request = { method: 'GET', path: '/', query: new URLSearchParams(), headers, body: new PassThrough(), principal, baseUrl: 'http://localhost/dicomweb', archive: server.node.archive } as DicomwebRequest;
  t = performance.now();
  const target = await lookupForRead(request, { study: r!.studyInstanceUid, series: r!.seriesInstanceUid });
  steps.lookup.push(performance.now() - t);
  t = performance.now();
  await getSeriesMetadata(server.node.archive, target.series!, 'http://localhost/dicomweb');
  steps.cacheRead.push(performance.now() - t);
  t = performance.now();
  await auditRetrieve(request, target.study);
  steps.audit.push(performance.now() - t);
}
for (const [k, v] of Object.entries(steps)) console.log(k.padEnd(14), median(v).toFixed(2), 'ms');
await server.stop();
