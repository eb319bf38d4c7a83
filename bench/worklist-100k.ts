// How long the portal's worklist searches take on 100,000 studies (50,000
// patients, two facilities): the page query plus its COUNT, as the worklist
// runs them. Prints figures, asserts nothing:
//   npx tsx bench/worklist-100k.ts                 (SQLite)
//   TEST_DATABASE=postgres npx tsx bench/worklist-100k.ts
import { performance } from 'node:perf_hooks';
import type { AccessScope } from '../pacs-core/access';
import { seed } from '../pacs-core/index/bench-100k';
import { parseWorklistRequest, searchWorklist } from '../lib/search/worklist';
import { createTestDatabase, testDatabaseKind } from '../test/support/test-database';

const testDb = await createTestDatabase();
try {
  const { db } = testDb;
  const a = await db.facility.create({ data: { name: 'Bench A', code: 'BENCHA' } });
  const b = await db.facility.create({ data: { name: 'Bench B', code: 'BENCHB' } });
  const seeding = performance.now();
  await seed(db, [a.id, b.id]);
  await db.$executeRawUnsafe('ANALYZE');
  console.log(`${testDatabaseKind()}: seeded 100000 studies in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);
  const both: AccessScope = { kind: 'facilities', facilityIds: [a.id, b.id] };
  const one: AccessScope = { kind: 'facilities', facilityIds: [a.id] };
  const cases: [string, string, AccessScope][] = [
    ['first page, newest first (two facilities)', '', both],
    ['first page, one facility', '', one],
    ['page 200 (offset 4975)', 'page=200', both],
    ['MRN exact', 'mrn=PID0012344', both],
    ['name "jane smi" (words in any order)', 'name=jane smi', both],
    ['name sorted by name', 'name=smith1&sort=name', both],
    ['sorted by patient name, no filter', 'sort=name', both],
    ['modality CT + one month', 'modality=CT&dateFrom=2020-01-01&dateTo=2020-01-31', both],
    ['age 60-70, female', 'ageFrom=60&ageTo=70&sex=F', both],
    ['description contains "chest"', 'description=chest', both],
    ['accession exact', 'accession=ACC00054321', both],
  ];
  for (const [label, query, scope] of cases) {
    const { request } = parseWorklistRequest(new URLSearchParams(query));
    const runs: number[] = [];
    let total = 0;
    for (let run = 0; run < 6; run++) {
      const started = performance.now();
      total = (await searchWorklist(db, scope, request)).total;
      if (run > 0) runs.push(performance.now() - started);
    }
    runs.sort((x, y) => x - y);
    console.log(`${label.padEnd(44)} ${String(total).padStart(6)} total  median ${runs[2].toFixed(1).padStart(7)} ms  max ${runs[4].toFixed(1).padStart(7)} ms`);
  }
} finally {
  await testDb.cleanup();
}
