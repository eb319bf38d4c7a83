// Where reports show (issue 14): the worklist's Report column and filter, the
// signed PDF download (from the Encapsulated PDF instance in the archive) and
// the report:changed event on the /realtime socket. Real server parts, real
// DICOM ingested through the archive, real database (SQLite, or PostgreSQL
// with TEST_DATABASE=postgres).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { io as connect, type Socket } from 'socket.io-client';
import { GET as pdfRoute } from '../../app/api/reports/[id]/pdf/route';
import { buildEncapsulatedPdf } from '../../pacs-core/dicom/report/encapsulated-pdf';
import type { DicomJsonDataset } from '../../pacs-core/dicom/dicom-json';
import { auditQueueFor } from '../../lib/audit/audit-queue';
import { SESSION_COOKIE_NAME, createSession, hashPassword } from '../../lib/auth';
import { createFacility, createUser } from '../../lib/policy/test-fixtures';
import type { Principal } from '../../lib/policy/principal';
import { REALTIME_EVENTS, REALTIME_NAMESPACE, type ReportChangedPayload } from '../../lib/realtime/events';
import { createReport } from '../../lib/reports/create-report';
import { makePreliminary } from '../../lib/reports/make-preliminary';
import { saveDraft } from '../../lib/reports/save-draft';
import { signReport } from '../../lib/reports/sign-report';
import type { ProduceSignedArtifacts } from '../../lib/reports/signed-artifacts';
import { studyReportSummaries, studyCopyKey } from '../../lib/reports/study-report-summaries';
import { getRuntime } from '../../lib/runtime';
import { viewWorklist } from '../../lib/search/view-worklist';
import { parseWorklistRequest } from '../../lib/search/worklist';
import { makeStudy } from '../support/fixtures';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from '../support/test-server';

const PASSWORD = 'report lists password';
// An odd length: the Encapsulated PDF pads it, EncapsulatedDocumentLength trims it back
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n!', 'latin1');

describe('reports in the worklist, the PDF download and real time', () => {
  let server: TestServer;
  let facilityId: string;
  let templateId: string;
  const people: Record<string, Principal> = {};
  const uids: Record<'signed' | 'draft' | 'preliminary' | 'none', string> = { signed: '', draft: '', preliminary: '', none: '' };
  let signedReportId = '';
  const sockets: Socket[] = [];

  const principal = async (name: string, memberships: { facilityId: string; role: 'EXPERT' | 'REFERRING' | 'EMERGENCY' }[]) => {
    const user = await createUser(server.node.db, { email: `${name}@lists.example`, passwordHash: await hashPassword(PASSWORD), memberships });
    people[name] = { userId: user.id, email: user.email, ip: `10.8.0.${Object.keys(people).length + 1}` };
  };
  const worklist = (who: string, query: string) => viewWorklist(server.node, { id: people[who].userId }, parseWorklistRequest(new URLSearchParams(query)).request);
  const ours = (rows: { studyInstanceUid: string }[]) => rows.map((row) => row.studyInstanceUid).filter((uid) => Object.values(uids).includes(uid));

  /** What H14E's producer does, reduced to the PDF: its Encapsulated PDF stored in the study, its SOP UID on the version */
  const storePdf: ProduceSignedArtifacts = async (content) => {
    const study = await server.node.db.study.findFirstOrThrow({ where: { facilityId: content.facilityId, studyInstanceUid: content.studyInstanceUid } });
    const summary = { pdfSeriesInstanceUid: `2.25.${Date.now()}1`, pdfSopInstanceUid: `2.25.${Date.now()}2` };
    const file = buildEncapsulatedPdf({
      patientStudy: JSON.parse(study.attributes) as DicomJsonDataset,
      studyInstanceUid: content.studyInstanceUid,
      seriesInstanceUid: summary.pdfSeriesInstanceUid,
      seriesNumber: 99,
      sopInstanceUid: summary.pdfSopInstanceUid,
      instanceNumber: 1,
      createdAt: new Date(content.signedAt),
      pdf: PDF,
      documentTitle: 'CT chest report',
    });
    await server.node.archive.ingest(Buffer.from(file), { kind: 'import', source: `report:${content.reportId}` }, content.facilityId);
    return { summary };
  };

  async function writtenReport(uid: string) {
    const { report } = await createReport(getRuntime(), people.expert, uid, { templateId });
    return saveDraft(getRuntime(), people.expert, report.id, { baseRevision: report.revision, sections: [{ key: 'impression', text: 'Kein Infiltrat.' }] });
  }

  function open(who: string): Promise<Socket> {
    return createSession(server.node.db, { userId: people[who].userId, ttlHours: 1 }).then(({ token }) => {
      const socket = connect(`${server.url}${REALTIME_NAMESPACE}`, { transports: ['websocket'], reconnection: false, extraHeaders: { cookie: `${SESSION_COOKIE_NAME}=${token}` } });
      sockets.push(socket);
      return new Promise<Socket>((resolve, reject) => {
        socket.on('connect', () => resolve(socket));
        socket.on('connect_error', reject);
      });
    });
  }

  async function get(path: string, who: string): Promise<Response> {
    const url = new URL(path, server.url);
    const { token } = await createSession(server.node.db, { userId: people[who].userId, ttlHours: 1 });
    const request = new Request(url, { headers: { origin: url.origin, host: url.host, cookie: `${SESSION_COOKIE_NAME}=${token}` } });
    return pdfRoute(request, { params: Promise.resolve({ id: path.split('/')[3] }) });
  }

  before(async () => {
    server = await startTestServer();
    const db = server.node.db;
    facilityId = (await db.membership.findFirstOrThrow({ where: { user: { email: TEST_ADMIN_EMAIL } } })).facilityId;
    const other = await createFacility(db, 'Elsewhere Clinic');
    await principal('expert', [{ facilityId, role: 'EXPERT' }]);
    await principal('referrer', [{ facilityId, role: 'REFERRING' }]);
    await principal('emergency', [{ facilityId, role: 'EMERGENCY' }]);
    await principal('outsider', [{ facilityId: other.id, role: 'EXPERT' }]);
    templateId = (await db.reportTemplate.findFirstOrThrow({ where: { name: 'CT chest', facilityId: null } })).id;
    // Four studies, oldest first: signed 2021, draft 2022, preliminary 2023, none 2024
    const dates = { signed: '20210301', draft: '20220301', preliminary: '20230301', none: '20240301' };
    for (const [key, studyDate] of Object.entries(dates) as [keyof typeof uids, string][]) {
      const study = makeStudy({ patientId: `LISTS-${key}`, studyDate, accessionNumber: `ACC-${key}`, series: 1, instancesPerSeries: 1, seed: `lists-${key}` });
      for (const file of study) await server.node.archive.ingest(file, { kind: 'stow', principalLabel: 'test' }, facilityId);
      uids[key] = study.studyInstanceUid;
    }
    await writtenReport(uids.draft);
    const preliminary = await writtenReport(uids.preliminary);
    await makePreliminary(getRuntime(), people.expert, preliminary.id, { baseRevision: preliminary.revision });
  });
  after(async () => {
    for (const socket of sockets) socket.close();
    await server?.stop();
  });

  it('sends report:changed after a signature to the facility report readers only, and stores the PDF', async () => {
    const referrer = await open('referrer');
    const emergency = await open('emergency');
    const heardByEmergency: unknown[] = [];
    emergency.on(REALTIME_EVENTS.REPORT_CHANGED, (payload) => heardByEmergency.push(payload));
    const heard = new Promise<ReportChangedPayload>((resolve) => referrer.on(REALTIME_EVENTS.REPORT_CHANGED, resolve));

    const report = await writtenReport(uids.signed);
    signedReportId = report.id;
    await signReport({ ...getRuntime(), produceSignedArtifacts: storePdf }, people.expert, report.id, { baseRevision: report.revision, password: PASSWORD });

    const payload = await heard;
    assert.deepEqual(payload, { studyInstanceUid: uids.signed, facilityId, reportId: report.id, status: 'FINAL', version: 1, referralId: null });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(heardByEmergency, [], 'an EMERGENCY member does not read reports');
  });

  it('shows each study report status as the viewer may see it', async () => {
    const status = async (who: string) => {
      const rows = (await worklist(who, 'pageSize=100')).rows;
      return Object.fromEntries(Object.entries(uids).map(([key, uid]) => [key, rows.find((row) => row.studyInstanceUid === uid)?.report?.status ?? null]));
    };
    assert.deepEqual(await status('expert'), { signed: 'FINAL', draft: 'DRAFT', preliminary: 'PRELIMINARY', none: null });
    assert.deepEqual(await status('referrer'), { signed: 'FINAL', draft: null, preliminary: 'PRELIMINARY', none: null }, "a colleague's draft shows as none");
    assert.deepEqual(await status('emergency'), { signed: null, draft: null, preliminary: null, none: null });
  });

  it('filters by report status; unreported oldest first', async () => {
    assert.deepEqual(ours((await worklist('expert', 'report=unreported&order=oldest')).rows), [uids.draft, uids.none]);
    assert.deepEqual(ours((await worklist('expert', 'report=unreported&order=newest')).rows), [uids.none, uids.draft]);
    assert.deepEqual(ours((await worklist('expert', 'report=draft')).rows), [uids.draft]);
    assert.deepEqual(ours((await worklist('referrer', 'report=draft')).rows), []);
    assert.deepEqual(ours((await worklist('referrer', 'report=final')).rows), [uids.signed]);
    assert.deepEqual(ours((await worklist('referrer', 'report=preliminary')).rows), [uids.preliminary]);
    assert.deepEqual(ours((await worklist('referrer', 'report=amended')).rows), []);
    assert.deepEqual(ours((await worklist('emergency', 'report=unreported')).rows), [], 'no report filter for those who may not read reports');
    assert.deepEqual(parseWorklistRequest(new URLSearchParams('report=signed')).errors, { report: 'Choose unreported, draft, preliminary, final or amended.' });
  });

  it('summarises the report for the study page and the patient history', async () => {
    const keys = Object.values(uids).map((studyInstanceUid) => ({ facilityId, studyInstanceUid }));
    const forReferrer = await studyReportSummaries(server.node.db, people.referrer.userId, keys);
    const signed = forReferrer.get(studyCopyKey({ facilityId, studyInstanceUid: uids.signed }));
    assert.deepEqual(signed, { reportId: signedReportId, status: 'FINAL', versions: 1, pdfVersion: 1 });
    assert.equal(forReferrer.has(studyCopyKey({ facilityId, studyInstanceUid: uids.draft })), false);
    assert.equal((await studyReportSummaries(server.node.db, people.emergency.userId, keys)).size, 0);
  });

  it('downloads the signed PDF exactly as stored, to readers only, audited', async () => {
    const answer = await get(`/api/reports/${signedReportId}/pdf`, 'referrer');
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('content-type'), 'application/pdf');
    assert.match(answer.headers.get('content-disposition') ?? '', /^attachment; filename="report-LISTS-signed-20210301-v1\.pdf"$/);
    const bytes = Buffer.from(await answer.arrayBuffer());
    assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
    assert.ok(bytes.equals(PDF), 'the stored PDF, without the DICOM padding byte');

    for (const who of ['outsider', 'emergency']) assert.equal((await get(`/api/reports/${signedReportId}/pdf`, who)).status, 404, who);
    assert.equal((await get(`/api/reports/${signedReportId}/pdf?version=2`, 'referrer')).status, 404);
    assert.equal((await get(`/api/reports/${signedReportId}/pdf?version=x`, 'referrer')).status, 404);
    const preliminaryId = (await server.node.db.report.findFirstOrThrow({ where: { studyInstanceUid: uids.preliminary } })).id;
    const unsigned = await get(`/api/reports/${preliminaryId}/pdf`, 'referrer');
    assert.equal(unsigned.status, 404);
    assert.match(((await unsigned.json()) as { message: string }).message, /not signed yet/);

    await auditQueueFor(getRuntime()).flush();
    const rows = await server.node.db.auditEvent.findMany({ where: { action: 'report.download', resource: `report:${signedReportId}` } });
    assert.equal(rows.length, 1);
    assert.equal(rows[0].actorUserId, people.referrer.userId);
    assert.equal(rows[0].studyUid, uids.signed);
  });
});
