// Cost of single Prisma operations on SQLite (engineType=client), for ingest tuning.
import { measure } from './support/measure';
import { createTestDatabase } from '../test/support/test-database';
const testDb = await createTestDatabase();
const db = testDb.db;
const f = await db.facility.create({ data: { name: 'P', code: 'P' } });
await measure('findFirst by indexed UID (miss)', (i) => db.instance.findFirst({ where: { sopInstanceUid: `x${i}` }, select: { id: true } }));
await measure('facility.update', () => db.facility.update({ where: { id: f.id }, data: { name: 'Q' } }));
await measure('empty interactive $transaction', () => db.$transaction(async () => {}));
await measure('interactive tx with 1 update', () => db.$transaction(async (tx) => tx.facility.update({ where: { id: f.id }, data: { name: 'R' } })));
await measure('batch $transaction([update, update])', () =>
  db.$transaction([db.facility.update({ where: { id: f.id }, data: { name: 'S' } }), db.facility.update({ where: { id: f.id }, data: { name: 'T' } })]),
);
await measure('$executeRaw update', () => db.$executeRaw`UPDATE "Facility" SET "name" = 'U' WHERE "id" = ${f.id}`);
await testDb.cleanup();
