// Where the second-opinion lists spend their time on N cases (default
// 10,000, the same rows as bench/referral-inbox.ts): every SQL statement
// that listReferralInbox, listMyReferrals and referralCounts send, with its
// time (median over --runs; Prisma's figure, which includes waiting for the
// connection), and for those of 5 ms or more the database's plan (SQLite:
// EXPLAIN QUERY PLAN and the statement's own time; PostgreSQL: EXPLAIN
// ANALYZE). In process, no HTTP.
//
//   npx tsx bench/probe-referral-queries.ts
//   TEST_DATABASE=postgres npx tsx bench/probe-referral-queries.ts
//   npx tsx bench/probe-referral-queries.ts --inbox 1000 --runs 5 --plans   # --plans prints every plan
import { parseArgs } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { describeDatabase, type Database } from '../prisma/database';
import { PrismaClient as SqliteClient } from '../prisma/generated/sqlite/client';
import { PrismaClient as PostgresClient } from '../prisma/generated/postgres/client';
import { createFacility, createUser } from '../lib/policy/test-fixtures';
import { listMyReferrals, listReferralInbox, referralCounts } from '../lib/referrals/list-referrals';
import { createTestDatabase } from '../test/support/test-database';
import { median } from './support/dicomweb-timing';
import { seedReferrals } from './support/referral-seed';

const { values } = parseArgs({ options: { inbox: { type: 'string', default: '10000' }, runs: { type: 'string', default: '10' }, plans: { type: 'boolean', default: false } } });
const INBOX = Number(values.inbox);
const RUNS = Number(values.runs);

const testDb = await createTestDatabase();
const { kind, url } = describeDatabase(testDb.options);
const logged: { query: string; params: string; duration: number }[] = [];
const client = (kind === 'sqlite'
  ? new SqliteClient({ adapter: new PrismaBetterSQLite3({ url }), log: [{ emit: 'event', level: 'query' }] })
  : new PostgresClient({ adapter: new PrismaPg({ connectionString: url }), log: [{ emit: 'event', level: 'query' }] })) as unknown as Database;
(client as unknown as { $on(event: 'query', listener: (event: { query: string; params: string; duration: number }) => void): void }).$on('query', (event) => logged.push(event));
try {
  const db = testDb.db;
  const clinic = await createFacility(db, 'District Clinic');
  const hospital = await createFacility(db, 'Regional Hospital');
  const doctor = await createUser(db, { email: 'doctor@district.bench', memberships: [{ facilityId: clinic.id, role: 'REFERRING' }] });
  const expert = await createUser(db, { email: 'expert@regional.bench', memberships: [{ facilityId: hospital.id, role: 'EXPERT' }] });
  const service = await db.service.create({ data: { facilityId: hospital.id, name: 'Neuroradiology' } });
  await db.serviceMember.create({ data: { serviceId: service.id, userId: expert.id } });
  await seedReferrals(db, { serviceId: service.id, serviceFacilityId: hospital.id, expertId: expert.id, doctorId: doctor.id, doctorFacilityId: clinic.id }, { cases: INBOX, addressedToService: Math.min(100, Math.floor(INBOX / 10)), ownedByExpert: Math.min(50, Math.floor(INBOX / 20)) });
  // Neither database has run ANALYZE on its own yet (the server does not run it either): plans as a fresh install has them

  const context = { db: client };
  const asExpert = { userId: expert.id, email: 'expert@regional.bench', ip: '127.0.0.1' };
  const asDoctor = { userId: doctor.id, email: 'doctor@district.bench', ip: '127.0.0.1' };
  const probes: [string, () => Promise<unknown>][] = [
    ['inbox, first page', () => listReferralInbox(context, asExpert, {})],
    ['inbox, STAT + CT', () => listReferralInbox(context, asExpert, { priority: 'STAT', modality: 'CT' })],
    ['my referrals (doctor)', () => listMyReferrals(context, asDoctor, {})],
    ['counts (expert)', () => referralCounts(context, expert.id)],
  ];
  console.log(`${INBOX} cases on ${kind === 'postgres' ? 'PostgreSQL' : 'SQLite'}; medians of ${RUNS} runs`);
  for (const [label, run] of probes) {
    await run();
    const walls: number[] = [];
    const perStatement = new Map<string, { durations: number[]; params: string }>();
    for (let i = 0; i < RUNS; i++) {
      logged.length = 0;
      const started = performance.now();
      await run();
      walls.push(performance.now() - started);
      for (const entry of logged) {
        const known = perStatement.get(entry.query) ?? { durations: [], params: entry.params };
        known.durations.push(entry.duration);
        perStatement.set(entry.query, known);
      }
    }
    console.log(`\n${label}: ${median(walls).toFixed(1)} ms in all, ${perStatement.size} statements`);
    for (const [query, { durations, params }] of [...perStatement].sort((a, b) => median(b[1].durations) - median(a[1].durations))) {
      const time = median(durations);
      console.log(`  ${time.toFixed(1).padStart(6)} ms  ${query.replace(/\s+/g, ' ').slice(0, 260)}`);
      if (time >= 5 || values.plans) console.log(indent(await plan(query, JSON.parse(params) as unknown[])));
    }
  }
} finally {
  await client.$disconnect();
  await testDb.cleanup();
}

function indent(text: string): string {
  return text.split('\n').map((line) => `            ${line}`).join('\n');
}

async function plan(query: string, params: unknown[]): Promise<string> {
  if (kind === 'sqlite') {
    const sqlite = new BetterSqlite3(url.slice('file:'.length), { readonly: true });
    try {
      const bound = params.map((value) => (typeof value === 'boolean' ? Number(value) : value));
      const rows = sqlite.prepare(`EXPLAIN QUERY PLAN ${query}`).all(...bound) as { detail: string }[];
      // The statement alone, straight on better-sqlite3 (Prisma's duration includes waiting for the connection)
      const statement = sqlite.prepare(query);
      const times: number[] = [];
      for (let i = 0; i < 20; i++) {
        const started = performance.now();
        statement.all(...bound);
        times.push(performance.now() - started);
      }
      return [...rows.map((row) => row.detail), `alone: ${median(times).toFixed(2)} ms (median of 20)`].join('\n');
    } finally {
      sqlite.close();
    }
  }
  const pgClient = new pg.Client({ connectionString: url });
  await pgClient.connect();
  try {
    const result = await pgClient.query(`EXPLAIN ANALYZE ${query}`, params);
    return result.rows.map((row: Record<string, string>) => row['QUERY PLAN']).join('\n');
  } finally {
    await pgClient.end();
  }
}
