// A second process for pacs-core/locks/uid-locks.test.ts: takes a study lock
// through its own lock connection, prints LOCKED, holds it until a line comes
// on stdin (or until it is killed), then releases it and prints RELEASED.
// Env: LOCK_HOLDER_URL (PostgreSQL URL), LOCK_HOLDER_UID.
import pg from 'pg';
import { createPostgresLocks } from '../../pacs-core/locks/uid-locks';

const pool = new pg.Pool({ connectionString: process.env.LOCK_HOLDER_URL, max: 1, idleTimeoutMillis: 0 });
const locks = createPostgresLocks(pool);
await locks.run('study', process.env.LOCK_HOLDER_UID ?? '', async () => {
  process.stdout.write('LOCKED\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
});
process.stdin.destroy();
process.stdout.write('RELEASED\n');
await pool.end();
