// Applies the SQL migrations in prisma/<provider>/migrations in order, each in
// its own transaction, recording name and checksum in "_telepacs_migrations".
//
// Why not `prisma migrate deploy`: with the offline JS schema engine and
// @prisma/adapter-pg, Prisma 6.19 fails on PostgreSQL ("Column type 'name' could
// not be deserialized", prisma/orm#27403, open). The SQL itself is still written
// by Prisma (`prisma migrate diff`, scripts/new-migration.mjs); only applying it
// is ours, and it is the same code for SQLite and PostgreSQL.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './database';
import type { DatabaseKind } from './database-url';

const prismaDir = path.dirname(fileURLToPath(import.meta.url));

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export function listMigrations(kind: DatabaseKind): MigrationFile[] {
  const dir = path.join(prismaDir, kind, 'migrations');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/** Splits a Prisma-generated migration into statements (they end with `;` at a line end). */
export function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*$/m)
    .map((statement) => statement.replace(/^\s*--.*$/gm, '').trim())
    .filter((statement) => statement.length > 0);
}

export async function applyMigrations(db: Database, kind: DatabaseKind): Promise<string[]> {
  await db.$executeRawUnsafe(
    `CREATE TABLE IF NOT EXISTS "_telepacs_migrations" ("name" TEXT PRIMARY KEY, "checksum" TEXT NOT NULL, "appliedAt" TEXT NOT NULL)`,
  );
  const applied = new Map(
    (await db.$queryRawUnsafe<{ name: string; checksum: string }[]>(`SELECT "name", "checksum" FROM "_telepacs_migrations"`)).map(
      (row) => [row.name, row.checksum],
    ),
  );
  const done: string[] = [];
  for (const migration of listMigrations(kind)) {
    const previous = applied.get(migration.name);
    if (previous !== undefined) {
      if (previous !== migration.checksum) {
        throw new Error(
          `migration ${migration.name} was changed after it was applied to this database (checksum differs); write a new migration instead`,
        );
      }
      continue;
    }
    await db.$transaction(async (tx) => {
      for (const statement of splitStatements(migration.sql)) await tx.$executeRawUnsafe(statement);
      await tx.$executeRawUnsafe(
        `INSERT INTO "_telepacs_migrations" ("name", "checksum", "appliedAt") VALUES (${kind === 'sqlite' ? '?, ?, ?' : '$1, $2, $3'})`,
        migration.name,
        migration.checksum,
        new Date().toISOString(),
      );
    });
    done.push(migration.name);
  }
  return done;
}
