// bench/referral-inbox: second-opinion cases (issue 15), two figures.
//
// 1. Send → the expert's screen. A referring doctor of a district clinic sends
//    a case (POST /api/referrals, send, STAT, addressed to the regional
//    hospital's "Neuroradiology" service, a question) on a real CT study of the
//    clinic; an expert of that service has the inbox open: a socket.io client
//    on /realtime with their session cookie (as the page's). The inbox page
//    reacts to `referral:changed` by refetching its list, so the case is on
//    the screen when the event came AND a refetch lists it:
//      t0  just before the doctor's POST;
//      t1  the expert's socket receives `referral:changed` (change "send") for the case;
//      t2  the expert's GET /api/referrals?box=inbox, started at t1, returned a
//          list with the case (the page's router.refresh runs the same
//          listReferralInbox in its server component).
//    One case at a time, after a few warm-ups that are not counted. After
//    each case the doctor cancels it (untimed, and its event waited for), so
//    the inbox stays one page and the new case has to be on it. Prints p50,
//    p95 and max of t2−t0 and t1−t0, and of the POST alone (to its whole
//    answer). A refetch that did not list the case yet is counted as a miss
//    and fetched again (a page would have shown it only on the next event).
//
// 2. The inbox with N cases in the database (default 10,000), written with
//    createMany in batches (bench/support/referral-seed.ts: every status,
//    priority and due time over five services and a dozen experts; 100 of
//    them waiting unclaimed at the measured service, 50 owned by the measured
//    expert, every fifth one the measured doctor's). Then, 20 runs each after
//    2 warm-ups, median and p95 of: the expert's inbox (first page), the
//    inbox filtered to STAT + CT, the doctor's "My referrals" (box=mine) and
//    the expert's header counts (GET /api/referrals/counts). The table's row
//    count is printed, to show the N.
//
// Figures to note, not goals: no peer archive has second-opinion cases, so
// there is no Orthanc comparison here (unlike bench/dicomweb.ts).
//
// The server is the tests' (test/support/test-server.ts) with the built
// portal (Next serves the routes), in this process: the server, the doctor's
// and the expert's HTTP clients and the expert's socket share one event loop
// (as in bench/report-sign.ts). Database: SQLite by default, PostgreSQL with
// TEST_DATABASE=postgres (a scratch database, dropped after).
//
//   npx tsx bench/referral-inbox.ts                          # 50 cases (+3 warm-ups), 10,000 in the inbox part
//   TEST_DATABASE=postgres npx tsx bench/referral-inbox.ts
//   npx tsx bench/referral-inbox.ts --cases 5 --inbox 1000   # a quick look
//   options: --cases N  --warmup N  --inbox N (0: skip part 2)  --runs N
import { parseArgs } from 'node:util';
import { io as connect, type Socket } from 'socket.io-client';
import { SESSION_COOKIE_NAME, createSession } from '../lib/auth';
import { createFacility, createUser } from '../lib/policy/test-fixtures';
import { REALTIME_EVENTS, REALTIME_NAMESPACE, type ReferralChangedPayload } from '../lib/realtime/events';
import { permitSharing, patientRefOfStudy } from '../test/support/consent';
import { makeStudy } from '../test/support/fixtures';
import { testDatabaseKind } from '../test/support/test-database';
import { startTestServer } from '../test/support/test-server';
import { median } from './support/dicomweb-timing';
import { seedReferrals } from './support/referral-seed';
import { writeSamples } from './support/samples';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '3' },
    inbox: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '20' },
  },
});
const CASES = Number(values.cases);
const WARMUP = Number(values.warmup);
const INBOX = Number(values.inbox);
const RUNS = Number(values.runs);
const ADDRESSED_TO_SERVICE = Math.min(100, Math.floor(INBOX / 10));
const OWNED_BY_EXPERT = Math.min(50, Math.floor(INBOX / 20));

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
const ms = (value: number) => (value < 10 ? value.toFixed(1) : Math.round(value).toString()).padStart(7);

interface InboxAnswer {
  rows: { id: string }[];
  total: number;
}

const server = await startTestServer({ portal: true });
const sockets: Socket[] = [];
try {
  const db = server.node.db;
  const origin = new URL(server.url).origin;
  const clinic = await createFacility(db, 'District Clinic');
  const hospital = await createFacility(db, 'Regional Hospital');
  const doctor = await createUser(db, { email: 'doctor@district.bench', name: 'Novak Marko', memberships: [{ facilityId: clinic.id, role: 'REFERRING' }] });
  const expert = await createUser(db, { email: 'expert@regional.bench', name: 'Horvat Ana', memberships: [{ facilityId: hospital.id, role: 'EXPERT' }] });
  const service = await db.service.create({ data: { facilityId: hospital.id, name: 'Neuroradiology' } });
  await db.serviceMember.create({ data: { serviceId: service.id, userId: expert.id } });
  const cookieOf = async (userId: string) => `${SESSION_COOKIE_NAME}=${(await createSession(db, { userId, ttlHours: 4 })).token}`;
  const doctorCookie = await cookieOf(doctor.id);
  const expertCookie = await cookieOf(expert.id);

  const study = makeStudy({ patientId: 'SO-BENCH-1', patientName: 'Kovač^Ivana', specificCharacterSet: 'ISO_IR 192', studyDescription: 'CT head', modality: 'CT', series: 1, instancesPerSeries: 4, rows: 256, columns: 256, seed: 'referral-inbox' });
  for (const file of study) await server.node.archive.ingest(file, { kind: 'import', source: 'bench' }, clinic.id);
  // The patient agreed to share their images with the region's facilities (issue 16: a case to another facility needs it)
  await permitSharing(db, await patientRefOfStudy(db, study.studyInstanceUid, clinic.id), { recordedById: doctor.id });

  async function call(cookie: string, method: 'GET' | 'POST', pathAndQuery: string, body?: unknown): Promise<{ ms: number; json: unknown }> {
    const url = new URL(pathAndQuery, server.url);
    const started = performance.now();
    const response = await fetch(url, {
      method,
      headers: { cookie, ...(method === 'POST' ? { origin, 'content-type': 'application/json' } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const elapsed = performance.now() - started;
    if (!response.ok) throw new Error(`${method} ${pathAndQuery}: ${response.status} ${text.slice(0, 300)}`);
    return { ms: elapsed, json: JSON.parse(text) };
  }

  // ---- 1. Send → the expert's screen ----
  const socket = connect(`${server.url}${REALTIME_NAMESPACE}`, { transports: ['websocket'], reconnection: false, extraHeaders: { cookie: expertCookie, origin } });
  sockets.push(socket);
  await new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(undefined));
    socket.once('connect_error', reject);
  });

  interface Arrival { t1: number; listed?: Promise<{ t2: number; misses: number }> }
  const arrivals = new Map<string, Arrival>();
  const waiters = new Map<string, (arrival: Arrival) => void>();
  /** The page's refetch: the inbox again until it lists the case */
  async function refetchUntilListed(referralId: string): Promise<{ t2: number; misses: number }> {
    for (let misses = 0; misses < 50; misses++) {
      const { json } = await call(expertCookie, 'GET', '/api/referrals?box=inbox');
      if ((json as InboxAnswer).rows.some((row) => row.id === referralId)) return { t2: performance.now(), misses };
    }
    throw new Error(`the inbox never listed ${referralId}`);
  }
  socket.on(REALTIME_EVENTS.REFERRAL_CHANGED, (payload: ReferralChangedPayload) => {
    const arrival: Arrival = { t1: performance.now() };
    if (payload.change === 'send') arrival.listed = refetchUntilListed(payload.referralId);
    const key = `${payload.referralId}:${payload.change}`;
    arrivals.set(key, arrival);
    waiters.get(key)?.(arrival);
  });
  function arrivalOf(referralId: string, change: string): Promise<Arrival> {
    const key = `${referralId}:${change}`;
    const known = arrivals.get(key);
    if (known) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no referral:changed ${change} for ${referralId} within 30 s`)), 30_000);
      waiters.set(key, (arrival) => {
        clearTimeout(timer);
        waiters.delete(key);
        resolve(arrival);
      });
    });
  }

  const sendSamples: { screenMs: number; eventMs: number; postMs: number; misses: number }[] = [];
  for (let run = 0; run < WARMUP + CASES; run++) {
    const t0 = performance.now();
    const posted = await call(doctorCookie, 'POST', '/api/referrals', {
      studyInstanceUids: [study.studyInstanceUid],
      question: `Acute ischaemia in the left MCA territory? Case ${run + 1}.`,
      history: 'Right-sided weakness since this morning.',
      priority: 'STAT',
      addressee: { serviceId: service.id },
      send: true,
    });
    const { id, status } = posted.json as { id: string; status: string };
    if (status !== 'REQUESTED') throw new Error(`case ${id} is ${status}, not REQUESTED`);
    const arrival = await arrivalOf(id, 'send');
    const { t2, misses } = await arrival.listed!;
    if (run >= WARMUP) sendSamples.push({ screenMs: t2 - t0, eventMs: arrival.t1 - t0, postMs: posted.ms, misses });
    await call(doctorCookie, 'POST', `/api/referrals/${id}/transitions`, { action: 'cancel', reason: 'bench' });
    await arrivalOf(id, 'cancel');
  }
  socket.close();

  const database = testDatabaseKind() === 'postgres' ? 'PostgreSQL' : 'SQLite';
  console.log(`\nsend → the expert's screen on ${database}: ${sendSamples.length} STAT cases, one at a time (${WARMUP} warm-ups not counted)`);
  console.log('                                         p50      p95      max   ms');
  const sendRow = (label: string, list: number[]) => console.log(`  ${label.padEnd(36)} ${ms(percentile(list, 50))}  ${ms(percentile(list, 95))}  ${ms(Math.max(...list))}`);
  sendRow('POST /api/referrals → listed (t2−t0)', sendSamples.map((sample) => sample.screenMs));
  sendRow('POST → referral:changed (t1−t0)', sendSamples.map((sample) => sample.eventMs));
  sendRow('the POST alone', sendSamples.map((sample) => sample.postMs));
  const misses = sendSamples.reduce((sum, sample) => sum + sample.misses, 0);
  console.log(`  refetches that did not list the case yet: ${misses}`);

  // ---- 2. The inbox with many cases ----
  const inboxResults: { label: string; samples: number[]; total: number; rows: number }[] = [];
  let tableRows = 0;
  if (INBOX > 0) {
    const seedStarted = performance.now();
    const seeded = await seedReferrals(db, { serviceId: service.id, serviceFacilityId: hospital.id, expertId: expert.id, doctorId: doctor.id, doctorFacilityId: clinic.id }, { cases: INBOX, addressedToService: ADDRESSED_TO_SERVICE, ownedByExpert: OWNED_BY_EXPERT });
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    tableRows = await db.referral.count();
    // The seeding held the event loop past the keep-alive timeout (5 s): let both ends close their idle
    // connections now, or the first request may go out on one the server is closing (ECONNRESET)
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    const probes: { label: string; cookie: string; path: string }[] = [
      { label: 'inbox, first page', cookie: expertCookie, path: '/api/referrals?box=inbox' },
      { label: 'inbox, STAT + CT', cookie: expertCookie, path: '/api/referrals?box=inbox&priority=STAT&modality=CT' },
      { label: 'my referrals (doctor)', cookie: doctorCookie, path: '/api/referrals?box=mine' },
      { label: 'counts (expert)', cookie: expertCookie, path: '/api/referrals/counts' },
    ];
    for (const probe of probes) {
      let answer: unknown;
      for (let warm = 0; warm < 2; warm++) answer = (await call(probe.cookie, 'GET', probe.path)).json;
      const samples: number[] = [];
      for (let run = 0; run < RUNS; run++) samples.push((await call(probe.cookie, 'GET', probe.path)).ms);
      const list = answer as Partial<InboxAnswer> & { inbox?: number };
      inboxResults.push({ label: probe.label, samples, total: list.total ?? list.inbox ?? 0, rows: list.rows?.length ?? 0 });
    }
    // The seeded cases must be what was timed: the unclaimed ones at least in the inbox, the doctor's open ones in theirs
    if (inboxResults[0].total < ADDRESSED_TO_SERVICE) throw new Error(`the inbox lists ${inboxResults[0].total} cases, fewer than the ${ADDRESSED_TO_SERVICE} seeded for it`);
    if (inboxResults[2].total === 0) throw new Error('the doctor\'s list is empty');
    console.log(`\nthe lists with ${tableRows} cases in the Referral table on ${database} (${seeded.referrals} written in ${seedSeconds.toFixed(1)} s with ${seeded.referralStudies} ReferralStudy rows, ${seeded.messages} messages; the doctor's: ${seeded.doctorCases})`);
    console.log(`  ${`${RUNS} runs each after 2 warm-ups`.padEnd(70)}  median      p95   ms   total  rows`);
    for (const result of inboxResults) {
      console.log(`  ${result.label.padEnd(24)} ${('GET ' + probes.find((probe) => probe.label === result.label)!.path.replace('/api/referrals', '…')).padEnd(45)} ${ms(median(result.samples))}  ${ms(percentile(result.samples, 95))}   ${String(result.total).padStart(6)} ${(result.label.startsWith('counts') ? '–' : String(result.rows)).padStart(5)}`);
    }
    console.log('  (total: the list\'s total; for the counts, the inbox count)');
  }
  writeSamples('referral-inbox', { database: testDatabaseKind(), cases: CASES, warmup: WARMUP, send: sendSamples, inbox: INBOX, tableRows, lists: inboxResults });
} finally {
  for (const socket of sockets) socket.close();
  await server.stop();
}
