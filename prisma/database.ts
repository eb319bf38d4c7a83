// The one place that turns a DATABASE_URL into a Prisma client, and that applies
// migrations. Both generated clients have the same model, so the SQLite client's
// type stands for both.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient as SqliteClient } from './generated/sqlite/client';
import { PrismaClient as PostgresClient } from './generated/postgres/client';
import { databaseKind, sqliteFileFromEnv, type DatabaseKind } from './database-url';
import { applyMigrations } from './migrate';

export type Database = SqliteClient;
export { Prisma } from './generated/sqlite/client';
export type * from './generated/sqlite/models';

export interface DatabaseOptions {
  /** unset = SQLite file in dataDir; file:... = that SQLite file; postgres://... = PostgreSQL */
  databaseUrl?: string;
  dataDir: string;
}

export function describeDatabase(options: DatabaseOptions): { kind: DatabaseKind; url: string } {
  const kind = databaseKind(options.databaseUrl);
  const url =
    kind === 'sqlite' ? sqliteFileFromEnv({ DATABASE_URL: options.databaseUrl, DATA_DIR: options.dataDir }) : options.databaseUrl!;
  return { kind, url };
}

export function createDatabase(options: DatabaseOptions): Database {
  const { kind, url } = describeDatabase(options);
  if (kind === 'sqlite') {
    mkdirSync(path.dirname(url.slice('file:'.length)), { recursive: true });
    // WAL lets QIDO readers run while an ingest writes; busy_timeout makes a
    // second writer wait instead of failing with SQLITE_BUSY.
    const adapter = new PrismaBetterSQLite3({ url, timeout: 10_000 });
    return new SqliteClient({ adapter });
  }
  const adapter = new PrismaPg({ connectionString: url, max: 10 });
  return new PostgresClient({ adapter }) as unknown as Database;
}

/** Creates the database's tables or brings them up to date (see prisma/migrate.ts). */
export async function migrateDatabase(db: Database, options: DatabaseOptions): Promise<string[]> {
  return applyMigrations(db, describeDatabase(options).kind);
}

/** SQLite pragmas that matter for an archive: WAL for concurrent readers, full durability. */
export async function tuneDatabase(db: Database, options: DatabaseOptions): Promise<void> {
  if (describeDatabase(options).kind !== 'sqlite') return;
  await db.$queryRawUnsafe('PRAGMA journal_mode = WAL');
  await db.$executeRawUnsafe('PRAGMA synchronous = FULL');
  await db.$executeRawUnsafe('PRAGMA foreign_keys = ON');
}
