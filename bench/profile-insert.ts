// Instance insert cost: Prisma create vs raw INSERT, with a realistic 12 KB metadata JSON.
import { randomUUID } from 'node:crypto';
import { measure } from './support/measure';
import { createTestDatabase } from '../test/support/test-database';
const testDb = await createTestDatabase();
const db = testDb.db;
const f = await db.facility.create({ data: { name: 'P', code: 'P' } });
const p = await db.patient.create({ data: { facilityId: f.id, patientId: 'X' } });
const st = await db.study.create({ data: { facilityId: f.id, patientRef: p.id, studyInstanceUid: '1.2.3' } });
const se = await db.series.create({ data: { studyRef: st.id, seriesInstanceUid: '1.2.3.4' } });
const metadata = JSON.stringify(Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`0010${i.toString(16).padStart(4, '0')}`, { vr: 'LO', Value: ['x'.repeat(60)] }])));
const row = (i: number, k: string) => ({ sopInstanceUid: `${k}.${i}`, sopClassUid: '1.2', transferSyntaxUid: '1.2', blobKey: `${k}/${i}`, size: 1, sha256: 'x', frameIndex: '[[[1,2]]]', attributes: '{}', metadata, seriesRef: se.id });
await measure('prisma instance.create', (i) => db.instance.create({ data: row(i, 'a'), select: { id: true } }));
await measure('tx: create + 2 raw updates', (i) => db.$transaction(async (tx) => {
  await tx.instance.create({ data: row(i, 'b'), select: { id: true } });
  await tx.$executeRaw`UPDATE "Series" SET "numberOfInstances" = "numberOfInstances" + 1 WHERE "id" = ${se.id}`;
  await tx.$executeRaw`UPDATE "Study" SET "numberOfInstances" = "numberOfInstances" + 1 WHERE "id" = ${st.id}`;
}));
await measure('raw INSERT', (i) => { const r = row(i, 'c'); return db.$executeRaw`INSERT INTO "Instance" ("id","seriesRef","sopInstanceUid","sopClassUid","transferSyntaxUid","blobKey","size","sha256","frameIndex","attributes","metadata","createdAt") VALUES (${randomUUID()},${r.seriesRef},${r.sopInstanceUid},${r.sopClassUid},${r.transferSyntaxUid},${r.blobKey},${r.size},${r.sha256},${r.frameIndex},${r.attributes},${r.metadata},${new Date()})`; });
console.log(await db.$queryRawUnsafe(`SELECT "createdAt", typeof("createdAt") t FROM "Instance" LIMIT 1`));
console.log(await db.$queryRawUnsafe(`SELECT "createdAt", typeof("createdAt") t FROM "Instance" WHERE "sopInstanceUid" = 'c.0'`));
console.log((await db.instance.findFirst({ where: { sopInstanceUid: 'c.0' }, select: { createdAt: true } }))?.createdAt);
await testDb.cleanup();
