import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Archive } from '../../pacs-core/archive';
import { silentLogger } from '../../pacs-core/logger';
import { FsBlobStore } from '../../pacs-core/store/fs-blob-store';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';
import { checkHealth } from './check-health';

describe('checkHealth', () => {
  let testDb: TestDatabase;
  before(async () => {
    testDb = await createTestDatabase();
  });
  after(async () => {
    await testDb.cleanup();
  });

  function runtimeWithStore(storeDir: string) {
    const store = new FsBlobStore(storeDir);
    return { db: testDb.db, logger: silentLogger, archive: new Archive({ db: testDb.db, store, cacheDir: path.join(testDb.dataDir, 'cache') }) };
  }

  it('is ok when the database answers and the store is writable', async () => {
    assert.deepEqual(await checkHealth(runtimeWithStore(path.join(testDb.dataDir, 'store'))), { status: 'ok' });
  });

  it('names the storage when the store cannot be written', async () => {
    // A file where the store directory should be: fails for root too (unlike chmod).
    const blocked = path.join(testDb.dataDir, 'blocked');
    writeFileSync(blocked, 'not a directory');
    assert.deepEqual(await checkHealth(runtimeWithStore(path.join(blocked, 'store'))), { status: 'error', reason: 'storage unavailable' });
  });

  it('names the database when it does not answer', async () => {
    const other = await createTestDatabase();
    await other.cleanup();
    const report = await checkHealth({ ...runtimeWithStore(path.join(testDb.dataDir, 'store')), db: other.db });
    assert.deepEqual(report, { status: 'error', reason: 'database unavailable' });
  });
});
