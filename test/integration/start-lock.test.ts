// Issue 20: processes of one node started at the same moment take turns for the
// migrations and first-run defaults (prepareDatabase, lib/server/start.ts). Shown
// by holding the start lock from the test: a process's preparation waits on it
// (PostgreSQL lists its request as not granted) and creates nothing meanwhile;
// released, it migrates and makes the first run's facility. PostgreSQL only.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../lib/config/config';
import { prepareDatabase, START_LOCK_CLASS } from '../../lib/server/start';
import { createConsoleLogger } from '../../pacs-core/logger';
import { createDatabase, type Database } from '../../prisma/database';
import { waitUntil } from '../support/dcmtk';
import { createScratchDatabaseUrl, testDatabaseKind } from '../support/test-database';

describe('the start lock', { skip: testDatabaseKind() !== 'postgres' ? 'PostgreSQL only: SQLite is one process' : undefined }, () => {
  let dataDir: string;
  let scratch: Awaited<ReturnType<typeof createScratchDatabaseUrl>>;
  let holder: pg.Client;
  let db: Database;

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'telepacs-start-lock-'));
    scratch = await createScratchDatabaseUrl(dataDir, 'postgres');
    holder = new pg.Client({ connectionString: scratch.databaseUrl });
    await holder.connect();
    db = createDatabase({ databaseUrl: scratch.databaseUrl, dataDir });
  });
  after(async () => {
    await holder?.end().catch(() => {});
    await db?.$disconnect();
    await scratch?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('makes a starting process wait while another holds it, and creates nothing meanwhile', async () => {
    await holder.query('SELECT pg_advisory_lock($1, $2)', [START_LOCK_CLASS, 1]);
    const config = loadConfig({ DATA_DIR: dataDir, DATABASE_URL: scratch.databaseUrl, ADMIN_EMAIL: 'admin@start-lock.test', ADMIN_PASSWORD: 'correct horse battery staple' });
    let done = false;
    const preparing = prepareDatabase(db, config, createConsoleLogger('start-lock', 'warn')).finally(() => {
      done = true;
    });
    // Its request for the lock is queued behind ours (pg_locks: an advisory lock of that class, not granted)
    const waiting = async () =>
      (await holder.query<{ waiting: string }>(`SELECT count(*) AS waiting FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND objid = 1 AND NOT granted`, [START_LOCK_CLASS])).rows[0].waiting === '1';
    await waitUntil('the starting process to wait for the start lock', waiting, 20_000, () => !done);
    // (the scratch database comes migrated from a template: the first run's rows tell)
    assert.equal(await db.user.count(), 0, 'no first run while the lock was held');
    await holder.query('SELECT pg_advisory_unlock($1, $2)', [START_LOCK_CLASS, 1]);
    const firstRun = await preparing;
    assert.ok(firstRun.facilityId, 'then it migrated and made the first run');
    assert.equal(await db.facility.count(), 1);
    assert.equal(await db.user.count({ where: { email: 'admin@start-lock.test' } }), 1);
  });
});
