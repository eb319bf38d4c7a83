// How long study searches take on 100,000 studies (50,000 patients, two
// facilities). Prints figures, asserts nothing: run by hand,
//   npx tsx pacs-core/index/bench-100k.ts            (SQLite)
//   TEST_DATABASE=postgres npx tsx pacs-core/index/bench-100k.ts
// Rows are inserted directly (one multi-row INSERT per 1,000) with realistic
// DICOM JSON, since ingesting 100k files would measure the ingest instead.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Prisma, type Database } from '../../prisma/database';
import { personNameSearchKey } from '../dicom/normalize';
import { createTestDatabase, testDatabaseKind } from '../../test/support/test-database';
import type { AccessScope } from '../access';
import { findStudies } from './find-studies';
import { parseQidoQuery } from './parse-qido-query';

const STUDIES = 100_000;
const BATCH = 1000;
const FAMILY = ['SMITH', 'MULLER', 'GARCIA', 'NGUYEN', 'KOWALSKI', 'ROSSI', 'DUBOIS', 'YAMADA', 'OKAFOR', 'SILVA'];
const GIVEN = ['JANE', 'HANS', 'MARIA', 'LINH', 'PIOTR', 'GIULIA', 'CLAIRE', 'TARO', 'CHIDI', 'ANA'];
const MODALITIES = ['\\CT\\', '\\MR\\', '\\CR\\', '\\US\\', '\\CT\\SR\\', '\\MG\\'];

function pn(value: string) {
  return { vr: 'PN', Value: [{ Alphabetic: value }] };
}
function str(vr: string, value: string) {
  return { vr, Value: [value] };
}

/** Inserts the 100k studies. */
async function seed(db: Database, facilities: string[]): Promise<void> {
  const now = new Date();
  for (let start = 0; start < STUDIES; start += BATCH) {
    const patients: Prisma.Sql[] = [];
    const studies: Prisma.Sql[] = [];
    for (let i = start; i < start + BATCH; i++) {
      const p = Math.floor(i / 2); // two studies per patient
      const facilityId = facilities[p % facilities.length];
      const name = `${FAMILY[p % 10]}${p % 97}^${GIVEN[Math.floor(p / 10) % 10]}`;
      const birthDate = `${1930 + (p % 90)}${String((p % 12) + 1).padStart(2, '0')}${String((p % 28) + 1).padStart(2, '0')}`;
      const sex = p % 2 ? 'M' : 'F';
      const patientId = `PID${String(p).padStart(7, '0')}`;
      if (i % 2 === 0) {
        patients.push(Prisma.sql`(${`pat${p}`}, ${facilityId}, ${patientId}, ${''}, ${name}, ${personNameSearchKey(name)}, ${sex}, ${birthDate}, ${now})`);
      }
      const day = i % 3650; // ten years of studies
      const date = new Date(Date.UTC(2015, 0, 1) + day * 86_400_000);
      const studyDate = date.toISOString().slice(0, 10).replace(/-/g, '');
      const studyTime = `${String(7 + (i % 12)).padStart(2, '0')}${String(i % 60).padStart(2, '0')}00`;
      const uid = `1.2.826.0.1.3680043.10.543.${i}`;
      const accession = `ACC${String(i).padStart(8, '0')}`;
      const modalities = MODALITIES[i % MODALITIES.length];
      const description = ['CT CHEST', 'MR BRAIN', 'CHEST PA', 'US ABDOMEN', 'CT HEAD', 'MAMMO'][i % 6];
      const referrer = `REFERRER${i % 50}^DR`;
      const attributes = JSON.stringify({
        '00080020': str('DA', studyDate),
        '00080030': str('TM', studyTime),
        '00080050': str('SH', accession),
        '00080090': pn(referrer),
        '00081030': str('LO', description),
        '00100010': pn(name),
        '00100020': str('LO', patientId),
        '00100030': str('DA', birthDate),
        '00100040': str('CS', sex),
        '0020000D': str('UI', uid),
        '00200010': str('SH', String(i % 1000)),
      });
      studies.push(
        Prisma.sql`(${`study${i}`}, ${facilityId}, ${`pat${p}`}, ${uid}, ${studyDate}, ${studyTime}, ${accession}, ${String(i % 1000)}, ${description},
          ${referrer}, ${personNameSearchKey(referrer)}, ${modalities}, ${3}, ${120}, ${attributes}, ${now})`,
      );
    }
    if (patients.length) {
      await db.$executeRaw`INSERT INTO "Patient" ("id", "facilityId", "patientId", "issuer", "name", "nameSearch", "sex", "birthDate", "updatedAt")
        VALUES ${Prisma.join(patients)}`;
    }
    await db.$executeRaw`INSERT INTO "Study" ("id", "facilityId", "patientRef", "studyInstanceUid", "studyDate", "studyTime", "accessionNumber",
        "studyId", "description", "referringPhysician", "referringPhysicianSearch", "modalities", "numberOfSeries", "numberOfInstances", "attributes", "updatedAt")
      VALUES ${Prisma.join(studies)}`;
  }
}

/** Two facilities and the 100k studies, with fresh statistics as a long-running archive has them. */
export async function seedBenchArchive(db: Database): Promise<{ a: string; b: string }> {
  const a = await db.facility.create({ data: { name: 'Bench A', code: 'BENCHA' } });
  const b = await db.facility.create({ data: { name: 'Bench B', code: 'BENCHB' } });
  const seeding = performance.now();
  await seed(db, [a.id, b.id]);
  await db.$executeRawUnsafe('ANALYZE'); // both providers accept it
  console.log(`${testDatabaseKind()}: seeded ${STUDIES} studies in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);
  return { a: a.id, b: b.id };
}

/** Runs a search 6 times (the first warms caches) and prints the median and max of the other 5, with its result count. */
export async function timeSearch(label: string, countLabel: string, run: () => Promise<number>): Promise<void> {
  let results = 0;
  const runs: number[] = [];
  for (let i = 0; i < 6; i++) {
    const started = performance.now();
    results = await run();
    if (i > 0) runs.push(performance.now() - started);
  }
  runs.sort((x, y) => x - y);
  console.log(`${label.padEnd(44)} ${String(results).padStart(6)} ${countLabel}  median ${runs[2].toFixed(1).padStart(7)} ms  max ${runs[4].toFixed(1).padStart(7)} ms`);
}

function time(db: Database, label: string, queryString: string, scope: AccessScope): Promise<void> {
  const query = parseQidoQuery('study', new URLSearchParams(queryString));
  return timeSearch(label, 'results', async () => (await findStudies(db, query, scope, { baseUrl: 'http://bench/dicomweb' })).matches.length);
}

async function main(): Promise<void> {
  const testDb = await createTestDatabase();
  try {
    const { db } = testDb;
    const { a, b } = await seedBenchArchive(db);
    const all: AccessScope = { kind: 'all' };
    const one: AccessScope = { kind: 'facilities', facilityIds: [a] };
    // Scopes that may hold several copies of a UID get the one-copy rule (NOT EXISTS)
    const both: AccessScope = { kind: 'facilities', facilityIds: [a, b] };
    // A grantee (bench/grants-scope.ts measures 5 against 5,000 grants); no grant rows here
    const granted: AccessScope = { kind: 'facilities', facilityIds: [a], grantee: { userId: 'bench-grantee', serviceIds: [] } };
    await time(db, 'newest 101, two facilities in scope', 'limit=101', both);
    await time(db, 'newest 101, one facility + a grant', 'limit=101', granted);
    await time(db, 'PatientName=SMITH1*, two facilities', 'PatientName=SMITH1*&limit=101', both);
    await time(db, 'offset 5000, two facilities', 'limit=100&offset=5000', both);
    await time(db, 'newest 101 studies (OHIF study list)', 'limit=101', all);
    await time(db, 'newest 101, one facility in scope', 'limit=101', one);
    await time(db, 'PatientID exact', 'PatientID=PID0012344', one);
    await time(db, 'PatientName=SMITH1* (wildcard)', 'PatientName=SMITH1*&limit=101', all);
    await time(db, 'PatientName fuzzy "jane smi"', 'PatientName=jane smi&fuzzymatching=true&limit=101', all);
    await time(db, 'AccessionNumber exact', 'AccessionNumber=ACC00054321', all);
    await time(db, 'StudyDate one month + ModalitiesInStudy=CT', 'StudyDate=20200101-20200131&ModalitiesInStudy=CT', one);
    await time(db, 'PatientBirthDate range + sex', 'PatientBirthDate=19600101-19601231&PatientSex=F&limit=101', all);
    await time(db, 'offset 5000 (deep page)', 'limit=100&offset=5000', all);
  } finally {
    await testDb.cleanup();
  }
}

// Run only when started directly, not when bench/worklist-100k.ts imports the seed
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
