// How long the portal's worklist searches take on 100,000 studies (50,000
// patients, two facilities): the page query plus its COUNT, as the worklist
// runs them. Prints figures, asserts nothing:
//   npx tsx bench/worklist-100k.ts                 (SQLite)
//   TEST_DATABASE=postgres npx tsx bench/worklist-100k.ts
import type { AccessScope } from '../pacs-core/access';
import { seedBenchArchive, timeSearch } from '../pacs-core/index/bench-100k';
import { parseWorklistRequest, searchWorklist } from '../lib/search/worklist';
import { createTestDatabase } from '../test/support/test-database';

const testDb = await createTestDatabase();
try {
  const { db } = testDb;
  const { a, b } = await seedBenchArchive(db);
  const both: AccessScope = { kind: 'facilities', facilityIds: [a, b] };
  const one: AccessScope = { kind: 'facilities', facilityIds: [a] };
  const cases: [string, string, AccessScope][] = [
    ['first page, newest first (two facilities)', '', both],
    ['first page, one facility', '', one],
    ['page 200 (offset 4975)', 'page=200', both],
    ['MRN whole (matched as *PID0012344*)', 'mrn=PID0012344', both],
    ['MRN part "12344" (*12344*: no index, a scan)', 'mrn=12344', both],
    ['MRN typed with a wildcard "PID001234*"', 'mrn=PID001234*', both],
    ['name "jane smi" (words in any order)', 'name=jane smi', both],
    ['name sorted by name', 'name=smith1&sort=name', both],
    ['sorted by patient name, no filter', 'sort=name', both],
    ['modality CT + one month', 'modality=CT&dateFrom=2020-01-01&dateTo=2020-01-31', both],
    ['age 60-70, female', 'ageFrom=60&ageTo=70&sex=F', both],
    ['description contains "chest"', 'description=chest', both],
    ['accession exact', 'accession=ACC00054321', both],
    ['unreported, oldest first (report filter)', 'report=unreported&order=oldest', both],
    ['final reports (report filter)', 'report=final', both],
  ];
  // The Report column and filter as a reader of both facilities sees them (no Report rows seeded: the probes still run)
  const reportScope = { userId: 'bench', readerFacilityIds: [a, b], memberFacilityIds: [a, b], readsGrantedReports: false };
  for (const [label, query, scope] of cases) {
    const { request } = parseWorklistRequest(new URLSearchParams(query));
    await timeSearch(label, 'total', async () => (await searchWorklist(db, scope, request, new Date(), reportScope)).total);
  }
} finally {
  await testDb.cleanup();
}
