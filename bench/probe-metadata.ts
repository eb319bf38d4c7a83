// Time series metadata requests of a 500-image series: with and without gzip.
import { makeInstance } from '../test/support/fixtures';
import { startTestServer } from '../test/support/test-server';
const server = await startTestServer();
const facilityId = (await server.node.db.facility.findFirstOrThrow()).id;
let studyUid = '';
let seriesUid = '';
for (let i = 0; i < 500; i++) {
  const file = makeInstance({ patientId: 'META', seed: 'probe-meta', rows: 512, columns: 512, instanceNumber: i + 1, seriesNumber: 1 });
  const r = await server.node.archive.ingest(file, { kind: 'stow', principalLabel: 'p' }, facilityId);
  studyUid = r.studyInstanceUid;
  seriesUid = r.seriesInstanceUid;
}
const url = `${server.dicomwebUrl}/studies/${studyUid}/series/${seriesUid}/metadata`;
for (const label of ['gzip', 'identity']) {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 15; i++) {
    const t = performance.now();
    const res = await fetch(url, { headers: { authorization: server.adminAuthorization, 'accept-encoding': label } });
    const body = Buffer.from(await res.arrayBuffer());
    bytes = body.length;
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  console.log(label, 'median', times[7].toFixed(1), 'ms, min', times[0].toFixed(1), 'ms; body', bytes, 'bytes (after client decoding)');
}
await server.stop();
