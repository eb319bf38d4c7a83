// The one place that turns a DATABASE_URL into a Prisma client, and that applies
// migrations. Both generated clients have the same model, so the SQLite client's
// type stands for both.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
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

/**
 * A second, driver-level connection to the same database for the per-image
 * index writes (pacs-core/index/instance-writer.ts). Through Prisma one image's
 * commit cost 4.55 ms (query compiler, a fresh `prepare` per statement); the
 * same statements prepared once on better-sqlite3 cost 0.36 ms (bench/README.md).
 * Open it after migrateDatabase (the writer prepares against the tables); close
 * it with closeIndexConnection after the last ingest.
 */
export type IndexConnection =
  | { kind: 'sqlite'; sqlite: BetterSqlite3 }
  /** lockPool: the one connection holding this process's ingest locks (pacs-core/locks/uid-locks.ts) */
  | { kind: 'postgres'; pool: pg.Pool; lockPool: pg.Pool };

export function openIndexConnection(options: DatabaseOptions): IndexConnection {
  const { kind, url } = describeDatabase(options);
  if (kind === 'sqlite') {
    // timeout 0: no synchronous busy wait. better-sqlite3 would sleep the event
    // loop while the lock holder may be a Prisma transaction of this same
    // process that needs that loop to finish: a stall until the timeout. The
    // writer waits asynchronously instead (instance-writer.ts).
    const sqlite = new BetterSqlite3(url.slice('file:'.length), { timeout: 0 });
    sqlite.pragma('journal_mode = WAL');
    // Per connection, not per file: every commit is fsynced before the
    // C-STORE/STOW response, as on Prisma's connection (tuneDatabase).
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    return { kind, sqlite };
  }
  // Few connections: each image's commit is one statement (one round trip).
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // An idle client the server drops (restart, pg_terminate_backend, a dropped
  // test database) emits 'error' on the pool; unhandled, that would end the
  // process. The pool discards that client; the next query's own error, if
  // any, reaches the ingest that ran it.
  pool.on('error', () => {});
  // Session-level advisory locks live as long as their connection: never closed for idleness
  const lockPool = new pg.Pool({ connectionString: url, max: 1, idleTimeoutMillis: 0 });
  lockPool.on('error', () => {});
  return { kind, pool, lockPool };
}

export async function closeIndexConnection(connection: IndexConnection): Promise<void> {
  if (connection.kind === 'sqlite') connection.sqlite.close();
  else await Promise.all([connection.pool.end(), connection.lockPool.end()]);
}
