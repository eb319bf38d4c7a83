// bench/report-sign: the time to sign a report (issue 14), end to end through
// the HTTP route POST /api/reports/{id}/sign: the password check (scrypt, as
// at sign-in), the PDF (letterhead, sections, 4 key images rendered from the
// study's real CT images, page numbers; PAdES/CMS signature with the
// facility's certificate), and the two DICOM objects (Encapsulated PDF and
// TID 2000 Enhanced SR) stored through the archive's ingest.
//
// The report is the README sample's text (lib/reports/pdf/sample-report.ts,
// three pages: checked with poppler's pdfinfo on the stored PDF) with 4 key
// images. Each measured signature is of a new report on a new study (a study
// has one report), by the same expert; the facility's first signature is
// reported apart, since it also creates the facility's signing certificate.
//
// A figure to note, not a speed goal: no peer archive signs reports, so there
// is no Orthanc comparison here (unlike bench/dicomweb.ts).
//
// The server is the tests' (test/support/test-server.ts) with the built
// portal (Next serves the route), in this process; the client sends one
// request at a time and reads the whole answer. Database: SQLite by default,
// PostgreSQL with TEST_DATABASE=postgres (a scratch database, dropped after).
//
//   npx tsx bench/report-sign.ts                         # 1 first + 8 measured signatures
//   TEST_DATABASE=postgres npx tsx bench/report-sign.ts
//   npx tsx bench/report-sign.ts --runs 3                # a quick look
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SESSION_COOKIE_NAME, createSession, hashPassword } from '../lib/auth';
import { createUser } from '../lib/policy/test-fixtures';
import { createReport } from '../lib/reports/create-report';
import { sampleReportInput } from '../lib/reports/pdf/sample-report';
import { saveDraft } from '../lib/reports/save-draft';
import { DEFAULT_TEMPLATES } from '../lib/reports/templates/default-templates';
import { getRuntime } from '../lib/runtime';
import { makeStudy } from '../test/support/fixtures';
import { testDatabaseKind } from '../test/support/test-database';
import { startTestServer, TEST_ADMIN_EMAIL } from '../test/support/test-server';
import { median } from './support/dicomweb-timing';
import { writeSamples } from './support/samples';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '8' } } });
const RUNS = Number(values.runs);
const PASSWORD = 'bench signer password';
const EXPERT_EMAIL = 'signer@report-sign.bench';
const TEMPLATE = 'CT head';

const server = await startTestServer({ portal: true });
const workDir = mkdtempSync(path.join(tmpdir(), 'telepacs-report-sign-'));
try {
  const db = server.node.db;
  const facilityId = (await db.membership.findFirstOrThrow({ where: { user: { email: TEST_ADMIN_EMAIL } } })).facilityId;
  const expertId = (await createUser(db, { email: EXPERT_EMAIL, passwordHash: await hashPassword(PASSWORD), memberships: [{ facilityId, role: 'EXPERT' }] })).id;
  await db.user.update({ where: { id: expertId }, data: { name: 'Horvat Ana' } });
  const expert = { userId: expertId, email: EXPERT_EMAIL, ip: '127.0.0.1' };
  const templateId = (await db.reportTemplate.findFirstOrThrow({ where: { name: TEMPLATE, facilityId: null } })).id;
  const keyOf = new Map(DEFAULT_TEMPLATES.find((template) => template.name === TEMPLATE)!.sections.map((section) => [section.title, section.key]));
  const sections = (await sampleReportInput()).sections.map((section) => ({ key: keyOf.get(section.title)!, text: section.text }));
  const { token } = await createSession(db, { userId: expertId, ttlHours: 2 });
  const cookie = `${SESSION_COOKIE_NAME}=${token}`;

  /** A new study (4 CT images, 512×512) and a draft on it with the sample text and all 4 images as key images. */
  async function draftOnNewStudy(run: number): Promise<{ reportId: string; revision: number }> {
    const study = makeStudy({ patientId: `SIGN-${run}`, patientName: 'Иванов^Иван', specificCharacterSet: 'ISO_IR 192', studyDescription: 'CT head', modality: 'CT', series: 1, instancesPerSeries: 4, rows: 512, columns: 512, seed: `report-sign-${run}` });
    for (const file of study) await server.node.archive.ingest(file, { kind: 'import', source: 'bench' }, facilityId);
    const { report } = await createReport(getRuntime(), expert, study.studyInstanceUid, { templateId });
    const keyImages = study.sopInstanceUids[0].map((sopUid) => ({ seriesUid: study.seriesInstanceUids[0], sopUid, frame: 1 }));
    const draft = await saveDraft(getRuntime(), expert, report.id, { baseRevision: report.revision, sections, keyImages });
    return { reportId: report.id, revision: draft.revision };
  }

  /** POST /api/reports/{id}/sign, timed from the request to the end of the answer. */
  async function sign(reportId: string, revision: number): Promise<number> {
    const url = new URL(`/api/reports/${reportId}/sign`, server.url);
    const started = performance.now();
    const response = await fetch(url, {
      method: 'POST',
      headers: { origin: url.origin, cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ baseRevision: revision, password: PASSWORD }),
    });
    const body = await response.text();
    const ms = performance.now() - started;
    if (response.status !== 200) throw new Error(`sign: ${response.status} ${body}`);
    return ms;
  }

  async function pdfPages(reportId: string): Promise<number> {
    const response = await fetch(new URL(`/api/reports/${reportId}/pdf`, server.url), { headers: { cookie } });
    if (response.status !== 200) throw new Error(`pdf: ${response.status}`);
    const file = path.join(workDir, `${reportId}.pdf`);
    writeFileSync(file, Buffer.from(await response.arrayBuffer()));
    const info = spawnSync('pdfinfo', [file], { encoding: 'utf8' });
    const pages = /^Pages:\s+(\d+)/m.exec(info.stdout)?.[1];
    if (!pages) throw new Error(`pdfinfo: ${info.error?.message ?? info.stderr}`);
    return Number(pages);
  }

  const first = await draftOnNewStudy(0);
  const firstMs = await sign(first.reportId, first.revision);
  const pages = await pdfPages(first.reportId);
  if (pages !== 3) console.warn(`warning: the report PDF has ${pages} pages, not 3`);

  const samples: number[] = [];
  for (let run = 1; run <= RUNS; run++) {
    const { reportId, revision } = await draftOnNewStudy(run);
    samples.push(await sign(reportId, revision));
  }
  const round = (ms: number) => Math.round(ms);
  const sorted = [...samples].sort((a, b) => a - b);
  console.log(`report signing on ${testDatabaseKind() === 'postgres' ? 'PostgreSQL' : 'SQLite'}: ${pages}-page PDF, 4 key images, POST /api/reports/{id}/sign end to end`);
  console.log(`  first signature of the facility (certificate made): ${round(firstMs)} ms`);
  console.log(`  next ${samples.length} signatures (new report each): median ${round(median(samples))} ms, range ${round(sorted[0])}–${round(sorted[sorted.length - 1])} ms`);
  writeSamples('report-sign', { database: testDatabaseKind(), pages, keyImages: 4, firstMs, samples });
} finally {
  rmSync(workDir, { recursive: true, force: true });
  await server.stop();
}
