import path from 'node:path';

/** Which database a DATABASE_URL selects: unset or file: = SQLite, postgres(ql):// = PostgreSQL. */
export type DatabaseKind = 'sqlite' | 'postgres';

export function databaseKind(databaseUrl: string | undefined): DatabaseKind {
  if (!databaseUrl || databaseUrl.startsWith('file:')) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return 'postgres';
  throw new Error(
    `DATABASE_URL must be unset (SQLite in DATA_DIR), file:<path> or postgres://...; got "${databaseUrl.split(':')[0]}:..."`,
  );
}

/** The SQLite file URL: DATABASE_URL=file:... or DATA_DIR/telepacs.db. */
export function sqliteFileFromEnv(env: Record<string, string | undefined> = process.env): string {
  if (env.DATABASE_URL?.startsWith('file:')) return env.DATABASE_URL;
  const dataDir = path.resolve(env.DATA_DIR ?? './data');
  return `file:${path.join(dataDir, 'telepacs.db')}`;
}

/**
 * The PostgreSQL URL the Prisma CLI connects to. `migrate diff` between two
 * schema files still opens a connection, so without a postgres DATABASE_URL the
 * local server's maintenance database is used (nothing is written there).
 */
export function postgresUrlForCli(env: Record<string, string | undefined> = process.env): string {
  const url = env.DATABASE_URL;
  return url && databaseKind(url) === 'postgres' ? url : 'postgresql://postgres@127.0.0.1:5432/postgres';
}
