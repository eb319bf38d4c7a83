// A fresh, migrated database per test file: SQLite in a temp dir by default,
// PostgreSQL when TEST_DATABASE=postgres (a new database on 127.0.0.1:5432,
// dropped afterwards). Real databases, no mocks.
//
// Each new database is a copy of a migrated template (made once per set of
// migrations and kept between runs: a SQLite file in the temp dir, a
// PostgreSQL database created with TEMPLATE): applying ~25 migrations to each of
// the suite's ~110 databases took 1.5–4 s apiece. The server's own migration
// step still runs at start and finds everything applied.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
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
export async function createScratchDatabaseUrl(sqliteDataDir?: string, kind: 'sqlite' | 'postgres' = testDatabaseKind()): Promise<{ databaseUrl: string | undefined; drop(): Promise<void> }> {
  if (kind !== 'postgres') {
    // The SQLite file the server opens in its data dir (prisma/database-url.ts), copied from the template
    if (sqliteDataDir) {
      mkdirSync(sqliteDataDir, { recursive: true });
      copyFileSync(await sqliteTemplate(), path.join(sqliteDataDir, 'telepacs.db'));
    }
    return { databaseUrl: undefined, drop: async () => {} };
  }
  const template = await postgresTemplate();
  const name = `telepacs_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
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
  const scratch = await createScratchDatabaseUrl(dataDir);
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

// ---- migrated templates ------------------------------------------------------

/** The provider's migrations, hashed: a new migration makes a new template. */
function migrationsHash(provider: 'sqlite' | 'postgres'): string {
  const root = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'prisma', provider, 'migrations');
  const hash = createHash('sha256');
  for (const entry of readdirSync(root).sort()) {
    const file = path.join(root, entry, 'migration.sql');
    if (!existsSync(file)) continue;
    hash.update(entry).update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 16);
}

let sqliteTemplatePath: Promise<string> | undefined;

/** A migrated SQLite file, made once (written aside, then renamed: a crashed run leaves no half-made template). */
function sqliteTemplate(): Promise<string> {
  sqliteTemplatePath ??= (async () => {
    const file = path.join(tmpdir(), `telepacs-template-${migrationsHash('sqlite')}.db`);
    if (existsSync(file)) return file;
    const dataDir = mkdtempSync(path.join(tmpdir(), 'telepacs-template-'));
    const options: DatabaseOptions = { databaseUrl: undefined, dataDir };
    const db = createDatabase(options);
    await tuneDatabase(db, options);
    await migrateDatabase(db, options);
    await db.$queryRawUnsafe('PRAGMA wal_checkpoint(TRUNCATE)');
    await db.$disconnect();
    const partial = `${file}.${process.pid}.partial`;
    copyFileSync(path.join(dataDir, 'telepacs.db'), partial);
    renameSync(partial, file);
    rmSync(dataDir, { recursive: true, force: true });
    return file;
  })();
  return sqliteTemplatePath;
}

let postgresTemplateName: Promise<string> | undefined;

/** A migrated PostgreSQL database to copy (CREATE DATABASE … TEMPLATE); older templates are dropped. */
function postgresTemplate(): Promise<string> {
  postgresTemplateName ??= (async () => {
    const name = `telepacs_template_${migrationsHash('postgres')}`;
    const admin = new pg.Client({ connectionString: TEST_POSTGRES_ADMIN_URL });
    await admin.connect();
    try {
      const existing = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'telepacs_template_%'`);
      if (existing.rows.some((row) => row.datname === name)) return name;
      for (const row of existing.rows) await admin.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`).catch(() => undefined);
      const building = `telepacs_tmpl_building_${process.pid}_${randomBytes(3).toString('hex')}`;
      await admin.query(`CREATE DATABASE "${building}"`);
      const url = new URL(TEST_POSTGRES_ADMIN_URL);
      url.pathname = `/${building}`;
      const options: DatabaseOptions = { databaseUrl: url.toString(), dataDir: tmpdir() };
      const db = createDatabase(options);
      await migrateDatabase(db, options);
      await db.$disconnect();
      try {
        await admin.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
      } catch (error) {
        // Another process made it first
        await admin.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
        if (!(await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name])).rowCount) throw error;
      }
      return name;
    } finally {
      await admin.end();
    }
  })();
  return postgresTemplateName;
}
