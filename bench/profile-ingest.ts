// Where does archive.ingest spend its time? Ingests N 512x512 16-bit CT images
// of one series directly (no HTTP) and prints per-phase medians.
// npx tsx bench/profile-ingest.ts [N]
import { createHash } from 'node:crypto';
import path from 'node:path';
import dcmjs from 'dcmjs';
import { Archive } from '../pacs-core/archive';
import { parseInstance } from '../pacs-core/dicom/parse-instance';
import { FsBlobStore } from '../pacs-core/store/fs-blob-store';
import { median } from './support/dicomweb-timing';
import { makeInstance } from '../test/support/fixtures';
import { closeIndexConnection, openIndexConnection } from '../prisma/database';
import { createTestDatabase } from '../test/support/test-database';

const n = Number(process.argv[2] ?? 200);
const files = Array.from({ length: n }, (_, i) =>
  makeInstance({ patientId: 'PROF', seed: 'profile-ingest', rows: 512, columns: 512, instanceNumber: i + 1, seriesNumber: 1 }),
);
const time = (fn: () => unknown) => {
  const t = performance.now();
  fn();
  return performance.now() - t;
};
console.log(`file size ${files[0].length} bytes`);
console.log('parseInstance  ', median(files.map((f) => time(() => parseInstance(f)))).toFixed(2), 'ms');
console.log('sha256         ', median(files.map((f) => time(() => createHash('sha256').update(f).digest('hex')))).toFixed(2), 'ms');
console.log(
  'dcmjs header   ',
  median(files.map((f) => time(() => dcmjs.data.DicomMessage.readFile(f.buffer.slice(f.byteOffset, f.byteOffset + f.length) as ArrayBuffer, { untilTag: '7FE00010', includeUntilTagValue: false })))).toFixed(2),
  'ms',
);
const testDb = await createTestDatabase();
const facility = await testDb.db.facility.create({ data: { name: 'P', code: 'P' } });
const store = new FsBlobStore(path.join(testDb.dataDir, 'store'));
const putTimes: number[] = [];
for (let i = 0; i < 50; i++) {
  const t = performance.now();
  await store.put(`probe/${i}.dcm`, files[i % files.length]);
  putTimes.push(performance.now() - t);
}
console.log('store.put      ', median(putTimes).toFixed(2), 'ms');
const indexConnection = openIndexConnection(testDb.options);
const archive = new Archive({ db: testDb.db, indexConnection, store, cacheDir: path.join(testDb.dataDir, 'cache') });
const ingestTimes: number[] = [];
const t0 = performance.now();
for (const f of files) {
  const t = performance.now();
  await archive.ingest(f, { kind: 'stow', principalLabel: 'p' }, facility.id);
  ingestTimes.push(performance.now() - t);
}
const total = performance.now() - t0;
console.log('archive.ingest ', median(ingestTimes).toFixed(2), 'ms median;', (n / (total / 1000)).toFixed(0), 'images/s sequential');
await closeIndexConnection(indexConnection);
await testDb.cleanup();
