// A fresh, migrated database per test file: SQLite in a temp dir by default,
// PostgreSQL when TEST_DATABASE=postgres (a new database on 127.0.0.1:5432,
// dropped afterwards). Real databases, no mocks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDatabase, migrateDatabase, tuneDatabase, type Database, type DatabaseOptions } from '../../prisma/database';

export interface TestDatabase {
  db: Database;
  options: DatabaseOptions;
  dataDir: string;
  cleanup(): Promise<void>;
}

export const TEST_POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export function testDatabaseKind(): 'sqlite' | 'postgres' {
  return process.env.TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite';
}

/**
 * A fresh, empty database for one test file: undefined (= SQLite inside the
 * caller's data dir) or the URL of a new PostgreSQL database, with its dropper.
 */
export async function createScratchDatabaseUrl(): Promise<{ databaseUrl: string | undefined; drop(): Promise<void> }> {
  if (testDatabaseKind() !== 'postgres') return { databaseUrl: undefined, drop: async () => {} };
  const name = `telepacs_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(TEST_POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    databaseUrl: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: TEST_POSTGRES_ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'telepacs-test-'));
  const scratch = await createScratchDatabaseUrl();
  const options: DatabaseOptions = { databaseUrl: scratch.databaseUrl, dataDir };
  const db = createDatabase(options);
  await tuneDatabase(db, options);
  await migrateDatabase(db, options);
  return {
    db,
    options,
    dataDir,
    async cleanup() {
      await db.$disconnect();
      await scratch.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
