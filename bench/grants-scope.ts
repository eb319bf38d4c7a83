// Whether an expert with 5,000 granted studies searches as fast as one with 5
// (issue 13): the archive's scope joins "AccessGrant" instead of listing the
// granted UIDs in every query (pacs-core/index/search-support.ts). On the
// 100,000-study bench archive (two facilities), an expert who is a member of
// facility B holds N grants on facility A's studies, a guest (no facility)
// holds N grants, and an expert of a pool facility holding no studies holds
// N grants; each search runs for N = 5 and N = 5,000. Prints medians and
// the 5,000/5 ratio; asserts nothing:
//   npx tsx bench/grants-scope.ts                  (SQLite)
//   TEST_DATABASE=postgres npx tsx bench/grants-scope.ts
import { performance } from 'node:perf_hooks';
import { archiveAccessFor } from '../lib/policy/archive-access';
import type { AccessScope } from '../pacs-core/access';
import { seedBenchArchive } from '../pacs-core/index/bench-100k';
import { findStudies } from '../pacs-core/index/find-studies';
import { findVisibleStudy } from '../pacs-core/index/find-visible-study';
import { parseQidoQuery } from '../pacs-core/index/parse-qido-query';
import { Prisma, type Database } from '../prisma/database';
import { createTestDatabase, testDatabaseKind } from '../test/support/test-database';

const FEW = 5;
const MANY = 5000;

/** N grants to the user on facility A's studies, spread over the archive (every 10th of A's rows). */
async function grant(db: Database, userId: string, count: number, facilityA: string): Promise<string[]> {
  const studies = await db.study.findMany({ where: { facilityId: facilityA }, orderBy: { id: 'asc' }, take: count * 10, select: { id: true, studyInstanceUid: true } });
  const chosen = studies.filter((_, index) => index % 10 === 0).slice(0, count);
  const now = new Date(Date.now() - 60_000);
  for (let start = 0; start < chosen.length; start += 1000) {
    const rows = chosen.slice(start, start + 1000).map(
      (study, index) =>
        Prisma.sql`(${`grant-${userId}-${start + index}`}, ${userId}, 'STUDY', ${study.id}, ${facilityA}, ${study.studyInstanceUid}, 'TELECONSULTATION', ${now}, ${now})`,
    );
    await db.$executeRaw`INSERT INTO "AccessGrant" ("id", "granteeUserId", "kind", "studyRef", "studyFacilityId", "studyInstanceUid", "purpose", "validFrom", "createdAt")
      VALUES ${Prisma.join(rows)}`;
  }
  return chosen.map((study) => study.studyInstanceUid);
}

async function median(run: () => Promise<unknown>): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < 8; i++) {
    const started = performance.now();
    await run();
    if (i > 0) runs.push(performance.now() - started);
  }
  runs.sort((x, y) => x - y);
  return runs[Math.floor(runs.length / 2)];
}

const testDb = await createTestDatabase();
try {
  const { db } = testDb;
  const { a, b } = await seedBenchArchive(db);
  const users = await Promise.all(
    ['expert-few', 'expert-many', 'guest-few', 'guest-many', 'pool-few', 'pool-many'].map((name) => db.user.create({ data: { email: `${name}@bench`, name, passwordHash: 'x' } })),
  );
  const [expertFew, expertMany, guestFew, guestMany, poolFew, poolMany] = users;
  // An expert pool's facility that holds no studies of its own (teleradiology)
  const pool = (await db.facility.create({ data: { name: 'Bench pool', code: 'BENCHPOOL' } })).id;
  const uids = new Map<string, string[]>();
  uids.set(expertFew.id, await grant(db, expertFew.id, FEW, a));
  uids.set(expertMany.id, await grant(db, expertMany.id, MANY, a));
  uids.set(guestFew.id, await grant(db, guestFew.id, FEW, a));
  uids.set(guestMany.id, await grant(db, guestMany.id, MANY, a));
  uids.set(poolFew.id, await grant(db, poolFew.id, FEW, a));
  uids.set(poolMany.id, await grant(db, poolMany.id, MANY, a));
  for (const [user, facilityId] of [[expertFew, b], [expertMany, b], [poolFew, pool], [poolMany, pool]] as const) {
    await db.membership.create({ data: { userId: user.id, facilityId, role: 'EXPERT' } });
  }
  await db.$executeRawUnsafe('ANALYZE');
  // The scopes as the portal builds them for each request (lib/policy/archive-access.ts)
  const scopeOf = async (userId: string): Promise<AccessScope> => (await archiveAccessFor(db, userId)).readScope;
  const pairs: [string, AccessScope, AccessScope, string, string][] = [
    ['expert (member of B)', await scopeOf(expertFew.id), await scopeOf(expertMany.id), expertFew.id, expertMany.id],
    ['guest (grants only)', await scopeOf(guestFew.id), await scopeOf(guestMany.id), guestFew.id, guestMany.id],
    ['expert (empty facility)', await scopeOf(poolFew.id), await scopeOf(poolMany.id), poolFew.id, poolMany.id],
  ];
  const accessMs = await median(() => archiveAccessFor(db, expertMany.id));
  console.log(`the scope itself (archiveAccessFor, once per request): ${accessMs.toFixed(2)} ms`);
  const searches: [string, string][] = [
    ['newest 101 (study list)', 'limit=101'],
    ['PatientName=SMITH1*', 'PatientName=SMITH1*&limit=101'],
    ['PatientID exact', 'PatientID=PID0012344'],
    ['StudyDate one month + CT', 'StudyDate=20200101-20200131&ModalitiesInStudy=CT'],
    ['offset 1000', 'limit=100&offset=1000'],
  ];
  console.log(`${testDatabaseKind()}: ${FEW} vs ${MANY} grants, median of 7 runs`);
  console.log(`${'who'.padEnd(24)} ${'search'.padEnd(26)} ${'results'.padStart(9)} ${'no grants'.padStart(12)} ${`${FEW} grants`.padStart(12)} ${`${MANY} grants`.padStart(12)}  ratio`);
  const cell = (ms: number | null) => (ms === null ? 'n/a' : `${ms.toFixed(2)} ms`).padStart(12);
  for (const [who, few, many, fewId, manyId] of pairs) {
    const ratios: number[] = [];
    for (const [label, queryString] of searches) {
      const query = parseQidoQuery('study', new URLSearchParams(queryString));
      let fewCount = 0;
      let manyCount = 0;
      // The same caller before any grant: the facility list alone (the portal names no grantee then)
      const none = few.kind === 'facilities' && few.facilityIds.length ? await median(() => findStudies(db, query, { kind: 'facilities', facilityIds: few.facilityIds })) : null;
      const fewMs = await median(async () => (fewCount = (await findStudies(db, query, few)).matches.length));
      const manyMs = await median(async () => (manyCount = (await findStudies(db, query, many)).matches.length));
      ratios.push(manyMs / fewMs);
      console.log(`${who.padEnd(24)} ${label.padEnd(26)} ${`${fewCount}/${manyCount}`.padStart(9)} ${cell(none)} ${cell(fewMs)} ${cell(manyMs)}  ${(manyMs / fewMs).toFixed(2)}`);
    }
    // WADO/C-MOVE resolve a granted UID (the last one granted)
    const fewUid = uids.get(fewId)!.at(-1)!;
    const manyUid = uids.get(manyId)!.at(-1)!;
    const fewMs = await median(() => findVisibleStudy(db, fewUid, few));
    const manyMs = await median(() => findVisibleStudy(db, manyUid, many));
    ratios.push(manyMs / fewMs);
    console.log(`${who.padEnd(24)} ${'granted UID (WADO lookup)'.padEnd(26)} ${'1/1'.padStart(9)} ${cell(null)} ${cell(fewMs)} ${cell(manyMs)}  ${(manyMs / fewMs).toFixed(2)}`);
    console.log(`${who.padEnd(24)} ratio ${MANY}/${FEW}: max ${Math.max(...ratios).toFixed(2)}, median ${ratios.sort((x, y) => x - y)[Math.floor(ratios.length / 2)].toFixed(2)}`);
  }
} finally {
  await testDb.cleanup();
}
