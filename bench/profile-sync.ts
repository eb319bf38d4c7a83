// Ingest cost with SQLite synchronous=FULL (fsync per commit) vs NORMAL (fsync at checkpoints).
import path from 'node:path';
import { Archive } from '../pacs-core/archive';
import { FsBlobStore } from '../pacs-core/store/fs-blob-store';
import { makeInstance } from '../test/support/fixtures';
import { closeIndexConnection, openIndexConnection } from '../prisma/database';
import { createTestDatabase } from '../test/support/test-database';
const files = Array.from({ length: 300 }, (_, i) => makeInstance({ patientId: 'S', seed: 'sync', rows: 512, columns: 512, instanceNumber: i + 1, seriesNumber: 1 }));
for (const mode of ['FULL', 'NORMAL', 'FULL', 'NORMAL']) {
  const testDb = await createTestDatabase();
  await testDb.db.$executeRawUnsafe(`PRAGMA synchronous = ${mode}`);
  // The per-image commit runs on the index connection: the pragma is per connection.
  const indexConnection = openIndexConnection(testDb.options);
  if (indexConnection.kind === 'sqlite') indexConnection.sqlite.pragma(`synchronous = ${mode}`);
  const facility = await testDb.db.facility.create({ data: { name: 'P', code: 'P' } });
  const archive = new Archive({ db: testDb.db, indexConnection, store: new FsBlobStore(path.join(testDb.dataDir, 'store')), cacheDir: path.join(testDb.dataDir, 'cache') });
  const xs: number[] = [];
  const t0 = performance.now();
  for (const f of files) {
    const t = performance.now();
    await archive.ingest(f, { kind: 'stow', principalLabel: 'p' }, facility.id);
    xs.push(performance.now() - t);
  }
  xs.sort((a, b) => a - b);
  console.log(mode.padEnd(7), 'median', xs[150].toFixed(2), 'ms;', (files.length / ((performance.now() - t0) / 1000)).toFixed(0), 'images/s');
  await closeIndexConnection(indexConnection);
  await testDb.cleanup();
}
