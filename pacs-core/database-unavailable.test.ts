// "The database is away" as the drivers really say it — a refused connection
// through `pg` and through Prisma's client — told apart from errors of the
// request (a bad statement, a unique violation), which must not become 503s.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { createDatabase, migrateDatabase } from '../prisma/database';
import { freePort } from '../test/support/dcmtk';
import { isDatabaseUnavailable } from './database-unavailable';
import { ArchiveError, toDimseStatus, toHttpStatus } from './errors';

const caught = async (work: () => Promise<unknown>): Promise<unknown> => work().then(() => assert.fail('expected a failure'), (error: unknown) => error);

describe('isDatabaseUnavailable', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'telepacs-db-away-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('recognises a PostgreSQL that does not answer, from pg and from Prisma, and the transports answer it retryably', async () => {
    const url = `postgresql://postgres@127.0.0.1:${await freePort()}/telepacs`;
    const client = new pg.Client({ connectionString: url });
    const fromPg = await caught(() => client.connect());
    const db = createDatabase({ databaseUrl: url, dataDir });
    try {
      const fromPrisma = await caught(() => db.user.findFirst());
      const fromRaw = await caught(() => db.$queryRawUnsafe('SELECT 1'));
      for (const error of [fromPg, fromPrisma, fromRaw]) {
        assert.equal(isDatabaseUnavailable(error), true, String(error));
        assert.equal(toHttpStatus(error), 503);
        assert.equal(toDimseStatus(error).status, 0xa700);
        assert.equal(toDimseStatus(error, 'find').status, 0xa700);
        assert.equal(toDimseStatus(error, 'retrieve').status, 0xa701);
      }
    } finally {
      await db.$disconnect();
    }
  });

  it('leaves errors of the request alone: a bad statement, a unique violation, the archive\'s own errors', async () => {
    const db = createDatabase({ databaseUrl: undefined, dataDir });
    try {
      await migrateDatabase(db, { databaseUrl: undefined, dataDir });
      const syntax = await caught(() => db.$queryRawUnsafe('SELEC 1'));
      await db.facility.create({ data: { id: 'f1', name: 'One', code: 'ONE' } });
      const duplicate = await caught(() => db.facility.create({ data: { id: 'f1', name: 'One again', code: 'ONE2' } }));
      for (const error of [syntax, duplicate, new ArchiveError('NOT_FOUND', 'x'), new Error('Connection refused by the remote node')]) {
        assert.equal(isDatabaseUnavailable(error), false, String(error));
      }
      assert.equal(toHttpStatus(syntax), 500);
    } finally {
      await db.$disconnect();
    }
  });
});
