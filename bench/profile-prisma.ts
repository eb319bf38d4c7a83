// Cost of single Prisma operations on SQLite (engineType=client), for ingest tuning.
import { createTestDatabase } from '../test/support/test-database';
const testDb = await createTestDatabase();
const db = testDb.db;
const f = await db.facility.create({ data: { name: 'P', code: 'P' } });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function measure(label: string, fn: (i: number) => Promise<unknown>, n = 200) {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    xs.push(performance.now() - t);
  }
  console.log(label.padEnd(40), median(xs).toFixed(3), 'ms');
}
await measure('findUnique (miss)', (i) => db.instance.findUnique({ where: { sopInstanceUid: `x${i}` }, select: { id: true } }));
await measure('facility.update', () => db.facility.update({ where: { id: f.id }, data: { name: 'Q' } }));
await measure('empty interactive $transaction', () => db.$transaction(async () => {}));
await measure('interactive tx with 1 update', () => db.$transaction(async (tx) => tx.facility.update({ where: { id: f.id }, data: { name: 'R' } })));
await measure('batch $transaction([update, update])', () =>
  db.$transaction([db.facility.update({ where: { id: f.id }, data: { name: 'S' } }), db.facility.update({ where: { id: f.id }, data: { name: 'T' } })]),
);
await measure('$executeRaw update', () => db.$executeRaw`UPDATE "Facility" SET "name" = 'U' WHERE "id" = ${f.id}`);
await testDb.cleanup();
