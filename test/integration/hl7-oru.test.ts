// Reports back to the RIS (issue 18): a signed report version leaves as an
// ORU^R01 over MLLP through the durable jobs. Real parts: a running node
// (SQLite, or PostgreSQL with TEST_DATABASE=postgres), the report routes with
// the real PDF producer, and as the RIS python3-hl7's asyncio MLLP server
// (test/support/mllp_ris.py), which parses what it receives with its own
// parser and answers AA, AE, or is down. Waits poll the job or the RIS's
// directory with a deadline; retries are brought forward, never slept for.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DELETE as deleteDestinationRoute, GET as getDestinationRoute, PUT as putDestinationRoute } from '../../app/api/admin/facilities/[facilityId]/hl7-destination/route';
import { GET as listJobsRoute } from '../../app/api/admin/facilities/[facilityId]/jobs/route';
import { POST as retryJobRoute } from '../../app/api/admin/facilities/[facilityId]/jobs/[jobId]/retry/route';
import { POST as addendumRoute } from '../../app/api/reports/[id]/addendum/route';
import { POST as amendRoute } from '../../app/api/reports/[id]/amend/route';
import { PUT as saveRoute } from '../../app/api/reports/[id]/route';
import { POST as signRoute } from '../../app/api/reports/[id]/sign/route';
import { GET as listTemplatesRoute } from '../../app/api/facilities/[facilityId]/report-templates/route';
import { POST as createReportRoute } from '../../app/api/studies/[uid]/reports/route';
import { SESSION_COOKIE_NAME, createSession, hashPassword } from '../../lib/auth';
import { buildOru } from '../../lib/hl7/report/build-oru';
import { sendMllpMessage } from '../../lib/hl7/mllp-client';
import { wakeJobRunners, waitForJob } from '../../lib/jobs/job-signals';
import { createFacility, createUser } from '../../lib/policy/test-fixtures';
import { makeStudy } from '../support/fixtures';
import { field, hasPythonHl7, segmentsOf, startRisListener, type RisListener, type RisMessage } from '../support/ris-listener';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from '../support/test-server';

const PASSWORD = 'oru signing password';
const PUBLIC_URL = 'https://pacs.regional.example';
// Text with every HL7 delimiter, on two lines: it must arrive as written
const FINDINGS = 'Consolidation | right lower lobe ^ 3 cm & effusion ~ small \\ none.\nNo pneumothorax.';
const IMPRESSION = 'Right lower lobe pneumonia.';
const ordered = makeStudy({
  patientId: 'ORU-1',
  issuerOfPatientId: 'HOSP',
  patientName: 'Müller^Hans^Peter^Dr.^Jr.',
  patientSex: 'M',
  patientBirthDate: '19610203',
  studyDate: '20261201',
  studyTime: '143015',
  accessionNumber: 'ACC-ORU-1',
  studyDescription: 'CT Chest',
  seed: 'hl7-oru-ordered',
  series: 1,
  instancesPerSeries: 1,
  modality: 'CT',
});
const unordered = makeStudy({ patientId: 'ORU-2', patientName: 'Doe^Jane', patientSex: 'F', studyDescription: 'XR Hand', seed: 'hl7-oru-unordered', series: 1, instancesPerSeries: 1, modality: 'CR' });

const noPythonHl7 = !hasPythonHl7() && !process.env.CI ? 'not installed: python3-hl7 (apt-get install -y python3-hl7)' : undefined;

interface ReportAnswer {
  id: string;
  revision: number;
}

describe('signed reports reach the RIS as ORU^R01', { skip: noPythonHl7 }, () => {
  let server: TestServer;
  let ris: RisListener;
  let facilityId: string;
  const users = { admin: '', expert: '', outsider: '' };
  const reports = new Map<string, { id: string; revision: number }>();

  async function call(userId: string, method: string, urlPath: string, body?: unknown): Promise<Request> {
    const url = new URL(urlPath, server.url);
    const { token } = await createSession(server.node.db, { userId, ttlHours: 1 });
    const headers = { origin: url.origin, host: url.host, cookie: `${SESSION_COOKIE_NAME}=${token}`, 'content-type': 'application/json' };
    return new Request(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  }
  const facilityParams = () => ({ params: Promise.resolve({ facilityId }) });
  const destinationPath = () => `/api/admin/facilities/${facilityId}/hl7-destination`;
  const putDestination = async (userId: string, body: unknown) => putDestinationRoute(await call(userId, 'PUT', destinationPath(), body), facilityParams());

  /** Starts the study's report, writes it and signs it as the expert; answers the signed version's outbound message row. */
  async function writeAndSign(studyUid: string, sections: { key: string; text: string }[]) {
    const templates = (await (await listTemplatesRoute(await call(users.expert, 'GET', `/api/facilities/${facilityId}/report-templates`), facilityParams())).json()) as { templates: { id: string; name: string }[] };
    const templateId = templates.templates.find((template) => template.name === 'CT chest')!.id;
    const created = await createReportRoute(await call(users.expert, 'POST', `/api/studies/${studyUid}/reports`, { templateId }), { params: Promise.resolve({ uid: studyUid }) });
    const { report } = (await created.json()) as { report: ReportAnswer };
    const saved = await saveRoute(await call(users.expert, 'PUT', `/api/reports/${report.id}`, { baseRevision: report.revision, sections }), { params: Promise.resolve({ id: report.id }) });
    assert.equal(saved.status, 200, await saved.clone().text());
    reports.set(studyUid, { id: report.id, revision: ((await saved.json()) as ReportAnswer).revision });
    return sign(studyUid);
  }

  async function sign(studyUid: string) {
    const report = reports.get(studyUid)!;
    const signed = await signRoute(await call(users.expert, 'POST', `/api/reports/${report.id}/sign`, { baseRevision: report.revision, password: PASSWORD }), { params: Promise.resolve({ id: report.id }) });
    assert.equal(signed.status, 200, await signed.clone().text());
    report.revision = ((await signed.json()) as ReportAnswer).revision;
    return outboundOf(report.id);
  }

  async function openVersion(studyUid: string, kind: 'amend' | 'addendum', body: { reason: string; sections: { key: string; text: string }[] }) {
    const report = reports.get(studyUid)!;
    const route = kind === 'amend' ? amendRoute : addendumRoute;
    const opened = await route(await call(users.expert, 'POST', `/api/reports/${report.id}/${kind}`, { baseRevision: report.revision, ...body }), { params: Promise.resolve({ id: report.id }) });
    assert.equal(opened.status, 201, await opened.clone().text());
    report.revision = ((await opened.json()) as ReportAnswer).revision;
  }

  /** The newest signed version's outbound message row and its job */
  async function outboundOf(reportId: string) {
    const db = server.node.db;
    const version = await db.reportVersion.findFirstOrThrow({ where: { reportId, signedAt: { not: null } }, orderBy: { version: 'desc' }, select: { id: true, version: true } });
    const message = await db.hl7Message.findFirstOrThrow({ where: { direction: 'OUT', reportVersionRef: version.id } });
    const job = await db.job.findUniqueOrThrow({ where: { type_key: { type: 'hl7.send-report', key: `report-version:${version.id}` } } });
    return { message, job, version };
  }

  /** Waits until an attempt of the job failed and it waits for the next one (or has none left) */
  async function failedAttempt(jobId: string, attempts: number) {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const row = await server.node.db.job.findUniqueOrThrow({ where: { id: jobId } });
      if ((row.state === 'PENDING' || row.state === 'FAILED') && row.attempts >= attempts && row.lastError) return row;
      if (Date.now() > deadline) throw new Error(`attempt ${attempts} did not fail in time: ${JSON.stringify(row)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Backoff (lib/jobs) puts the next attempt seconds away: bring it forward */
  async function retryNow(jobId: string) {
    await server.node.db.job.update({ where: { id: jobId }, data: { runAt: new Date() } });
    wakeJobRunners();
  }

  const obxValues = (message: RisMessage, type: string) => segmentsOf(message, 'OBX').filter((obx) => obx.fields[2] === type);
  const text = (message: RisMessage) => obxValues(message, 'TX').map((obx) => obx.unescaped[5]);

  before(async () => {
    server = await startTestServer({ env: { PUBLIC_URL, HL7_APPLICATION: 'TELEPACS' } });
    const db = server.node.db;
    users.admin = (await db.user.findUniqueOrThrow({ where: { email: TEST_ADMIN_EMAIL } })).id;
    facilityId = (await db.membership.findFirstOrThrow({ where: { userId: users.admin } })).facilityId;
    users.expert = (await createUser(db, { email: 'radiologist@oru.example', name: 'Anna Berg', passwordHash: await hashPassword(PASSWORD), memberships: [{ facilityId, role: 'EXPERT' }] })).id;
    const other = await createFacility(db, 'Other Clinic');
    users.outsider = (await createUser(db, { email: 'admin@other.example', memberships: [{ facilityId: other.id, role: 'ADMIN' }] })).id;
    for (const file of [...ordered, ...unordered]) await server.node.archive.ingest(file, { kind: 'import', source: 'hl7-oru-test' }, facilityId);
    // The order the CT was done for, as an ORM from the RIS leaves it (lib/hl7/orders)
    const study = await db.study.findUniqueOrThrow({ where: { facilityId_studyInstanceUid: { facilityId, studyInstanceUid: ordered.studyInstanceUid } }, select: { id: true, patientRef: true } });
    await db.imagingOrder.create({
      data: {
        facilityId,
        patientRef: study.patientRef,
        placerOrderNumber: 'PLC-7001',
        fillerOrderNumber: 'FIL-7001',
        accessionNumber: 'ACC-ORU-1',
        requestedProcedureCode: 'CTCHEST',
        requestedProcedureText: 'CT chest without contrast',
        requestedProcedureScheme: 'L',
        studyInstanceUid: ordered.studyInstanceUid,
        stepId: '1',
        modality: 'CT',
        status: 'IMAGES_RECEIVED',
        studyRef: study.id,
        requestingPhysician: 'House^Gregory',
      },
    });
    ris = await startRisListener();
  });

  after(async () => {
    await ris?.cleanup();
    await server?.stop();
  });

  it('lets the facility admin set where reports go, validated; others get 404', async () => {
    const empty = await getDestinationRoute(await call(users.admin, 'GET', destinationPath()), facilityParams());
    assert.equal(empty.status, 200);
    assert.deepEqual(await empty.json(), { destination: null });

    const bad = await putDestination(users.admin, { host: 'ris host', port: 70000, receivingApplication: 'RIS^X', receivingFacility: 'A|B' });
    assert.equal(bad.status, 400);
    const { fields } = (await bad.json()) as { fields: Record<string, string> };
    assert.deepEqual(Object.keys(fields).sort(), ['host', 'port', 'receivingApplication', 'receivingFacility']);

    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      const request = await call(users.outsider, method, destinationPath(), method === 'PUT' ? { host: 'evil.example', port: 2575 } : undefined);
      const route = method === 'GET' ? getDestinationRoute : method === 'PUT' ? putDestinationRoute : deleteDestinationRoute;
      assert.equal((await route(request, facilityParams())).status, 404, method);
    }
    assert.equal((await deleteDestinationRoute(await call(users.admin, 'DELETE', destinationPath()), facilityParams())).status, 404, 'nothing to remove yet');

    const saved = await putDestination(users.admin, { host: '127.0.0.1', port: ris.port, receivingApplication: 'RIS', receivingFacility: 'HOSPITAL' });
    assert.equal(saved.status, 200, await saved.clone().text());
    const { destination } = (await saved.json()) as { destination: Record<string, unknown> };
    assert.deepEqual({ ...destination, updatedAt: undefined }, { host: '127.0.0.1', port: ris.port, receivingApplication: 'RIS', receivingFacility: 'HOSPITAL', enabled: true, updatedAt: undefined });
    const read = (await (await getDestinationRoute(await call(users.admin, 'GET', destinationPath()), facilityParams())).json()) as { destination: { port: number } };
    assert.equal(read.destination.port, ris.port);
    const audit = await server.node.db.auditEvent.findFirstOrThrow({ where: { action: 'admin.hl7_destination.update', facilityId }, orderBy: { at: 'desc' } });
    assert.deepEqual(JSON.parse(audit.details).port, { from: null, to: String(ris.port) });
  });

  it('sends the signed report with the patient, the order, status F, the text, the link and the PDF', async () => {
    const { message, job } = await writeAndSign(ordered.studyInstanceUid, [
      { key: 'findings', text: FINDINGS },
      { key: 'impression', text: IMPRESSION },
    ]);
    // Written with the signature (QUEUED), perhaps sent already by the time the route answered
    assert.ok(['QUEUED', 'SENT'].includes(message.status), message.status);
    assert.equal((await waitForJob(server.node.db, job.id, 20_000)).state, 'DONE');
    const [oru] = await ris.waitForMessages(1);

    // MSH: us → the destination's application and facility, our control ID, production, 2.5.1
    const facility = await server.node.db.facility.findUniqueOrThrow({ where: { id: facilityId } });
    assert.deepEqual([3, 4, 5, 6, 9, 10, 11, 12].map((n) => field(oru, 'MSH', n)), ['TELEPACS', facility.code, 'RIS', 'HOSPITAL', 'ORU^R01^ORU_R01', message.controlId, 'P', '2.5.1']);
    assert.equal(field(oru, 'MSH', 18), 'UNICODE UTF-8');
    // PID: the MRN with its issuer, the DICOM name as XPN (suffix before prefix), birth date, sex
    assert.equal(field(oru, 'PID', 3), 'ORU-1^^^HOSP^MR');
    assert.equal(field(oru, 'PID', 5), 'Müller^Hans^Peter^Jr.^Dr.');
    assert.equal(field(oru, 'PID', 7), '19610203');
    assert.equal(field(oru, 'PID', 8), 'M');
    // ORC / OBR: the order's numbers and procedure, when the images were made, accession, signed, F, who signed
    assert.deepEqual([1, 2, 3].map((n) => field(oru, 'ORC', n)), ['RE', 'PLC-7001', 'FIL-7001']);
    assert.deepEqual([2, 3, 4].map((n) => field(oru, 'OBR', n)), ['PLC-7001', 'FIL-7001', 'CTCHEST^CT chest without contrast^L']);
    assert.equal(field(oru, 'OBR', 7), '20261201143015');
    assert.equal(field(oru, 'OBR', 16), '^House^Gregory');
    assert.equal(field(oru, 'OBR', 18), 'ACC-ORU-1');
    assert.match(field(oru, 'OBR', 22), /^\d{14}\+0000$/);
    assert.equal(field(oru, 'OBR', 25), 'F');
    assert.equal(field(oru, 'OBR', 32), '&Anna Berg');
    // OBX TX: the text line by line under its section, every delimiter escaped and read back as written
    // (the template's Technique and Comparison come first, with their default text)
    const lines = text(oru);
    assert.deepEqual(lines.slice(lines.indexOf('Findings:')), ['Findings:', ...FINDINGS.split('\n'), 'Impression:', IMPRESSION]);
    const findings = obxValues(oru, 'TX').find((obx) => obx.unescaped[5] === 'No pneumothorax.')!;
    assert.equal(findings.fields[3], '59776-5^Findings^LN');
    assert.ok(obxValues(oru, 'TX').every((obx) => obx.fields[11] === 'F'));
    // OBX RP: the report in the portal; OBX ED: the signed PDF itself
    const [link] = obxValues(oru, 'RP');
    assert.equal(link.fields[5].split('^')[0], `${PUBLIC_URL}/studies/${ordered.studyInstanceUid}/report?version=1`);
    const [pdf] = obxValues(oru, 'ED');
    const [, type, subtype, encoding, data] = pdf.fields[5].split('^');
    assert.deepEqual([type, subtype, encoding], ['application', 'pdf', 'Base64']);
    const bytes = Buffer.from(data, 'base64');
    assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
    console.log(`ORU with the embedded PDF: ${oru.raw.length} characters (PDF ${bytes.length} bytes)`);

    // What the node recorded: the message as sent, the RIS's AA, the audit
    const { message: sent } = await outboundOf(reports.get(ordered.studyInstanceUid)!.id);
    assert.equal(sent.status, 'SENT');
    assert.equal(sent.ackCode, 'AA');
    assert.equal(sent.raw, oru.raw);
    assert.equal(sent.remoteAddress, `127.0.0.1:${ris.port}`);
    assert.ok(sent.orderRef);
    const audit = await server.node.db.auditEvent.findFirstOrThrow({ where: { action: 'hl7.send', resource: `hl7:${sent.id}` } });
    assert.equal(audit.outcome, 'SUCCESS');
    assert.equal(audit.patientId, 'ORU-1');
  });

  it('sends an amendment as a correction (C) with its reason', async () => {
    await openVersion(ordered.studyInstanceUid, 'amend', { reason: 'Side corrected', sections: [{ key: 'impression', text: 'Left lower lobe pneumonia.' }] });
    const { message, job } = await sign(ordered.studyInstanceUid);
    assert.equal((await waitForJob(server.node.db, job.id, 20_000)).state, 'DONE');
    const received = await ris.waitForMessages(2);
    const oru = received[1];
    assert.equal(field(oru, 'MSH', 10), message.controlId);
    assert.notEqual(message.controlId, field(received[0], 'MSH', 10), 'a new version is a new message');
    assert.equal(field(oru, 'OBR', 25), 'C');
    assert.ok(obxValues(oru, 'TX').every((obx) => obx.fields[11] === 'C'));
    assert.deepEqual(text(oru).slice(0, 1), ['Side corrected']);
    assert.ok(text(oru).includes('Left lower lobe pneumonia.'));
    assert.ok(!text(oru).includes(IMPRESSION));
    assert.equal(obxValues(oru, 'RP')[0].fields[5].split('^')[0], `${PUBLIC_URL}/studies/${ordered.studyInstanceUid}/report?version=2`);
  });

  it('retries when the RIS answers AE, shows its reason, and delivers the same message once it accepts', async () => {
    ris.answer('AE Patient ORU-1 unknown in RIS');
    await openVersion(ordered.studyInstanceUid, 'addendum', { reason: 'Biopsy result', sections: [{ key: 'addendum', text: 'Biopsy: no tumour.' }] });
    const { message, job } = await sign(ordered.studyInstanceUid);
    const failed = await failedAttempt(job.id, 1);
    assert.equal(failed.state, 'PENDING', 'retried later');
    assert.ok(failed.runAt.getTime() > Date.now(), 'with backoff');
    assert.match(failed.lastError ?? '', /the RIS answered AE: Patient ORU-1 unknown in RIS/);
    const row = await server.node.db.hl7Message.findUniqueOrThrow({ where: { id: message.id } });
    assert.equal(row.status, 'FAILED');
    assert.equal(row.ackCode, 'AE');
    assert.equal(row.ackText, 'Patient ORU-1 unknown in RIS');
    assert.match(row.error, /Patient ORU-1 unknown in RIS/);
    const refused = await server.node.db.auditEvent.findFirstOrThrow({ where: { action: 'hl7.send', resource: `hl7:${message.id}` } });
    assert.equal(refused.outcome, 'FAILURE');

    ris.answer('AA');
    await retryNow(job.id);
    const outcome = await waitForJob(server.node.db, job.id, 20_000);
    assert.equal(outcome.state, 'DONE');
    assert.equal(outcome.attempts, 2);
    const received = await ris.waitForMessages(4);
    const [refusedCopy, accepted] = received.slice(2);
    assert.equal(refusedCopy.answered, 'AE');
    assert.equal(accepted.answered, 'AA');
    // The same control ID: a RIS that took the first attempt recognises the repeat
    assert.equal(field(refusedCopy, 'MSH', 10), message.controlId);
    assert.equal(field(accepted, 'MSH', 10), message.controlId);
    assert.equal(field(accepted, 'OBR', 25), 'C');
    assert.ok(text(accepted).includes('Biopsy: no tumour.'));
    const sent = await server.node.db.hl7Message.findUniqueOrThrow({ where: { id: message.id } });
    assert.deepEqual([sent.status, sent.ackCode, sent.error, sent.attempts], ['SENT', 'AA', '', 2]);
  });

  it('keeps trying while the RIS is down, shows the failure to the admin, and delivers when it is back', async () => {
    await ris.stop();
    const { message, job } = await writeAndSign(unordered.studyInstanceUid, [
      { key: 'findings', text: 'No fracture.' },
      { key: 'impression', text: 'Normal hand.' },
    ]);
    const first = await failedAttempt(job.id, 1);
    assert.equal(first.state, 'PENDING');
    assert.match(first.lastError ?? '', /ECONNREFUSED/);
    assert.equal((await server.node.db.hl7Message.findUniqueOrThrow({ where: { id: message.id } })).status, 'FAILED');

    // Its last attempt fails too: FAILED, on the admin's list of failing jobs
    await server.node.db.job.update({ where: { id: job.id }, data: { maxAttempts: 2 } });
    await retryNow(job.id);
    assert.equal((await failedAttempt(job.id, 2)).state, 'FAILED');
    const listed = (await (await listJobsRoute(await call(users.admin, 'GET', `/api/admin/facilities/${facilityId}/jobs`), facilityParams())).json()) as { jobs: { id: string; label: string; lastError: string }[] };
    const shown = listed.jobs.find((listedJob) => listedJob.id === job.id);
    assert.ok(shown, JSON.stringify(listed));
    assert.equal(shown.label, 'Signed report sent to the RIS (HL7 ORU^R01)');
    assert.match(shown.lastError, /ECONNREFUSED/);

    // The RIS is back; the admin retries
    await ris.start();
    const retried = await retryJobRoute(await call(users.admin, 'POST', `/api/admin/facilities/${facilityId}/jobs/${job.id}/retry`), { params: Promise.resolve({ facilityId, jobId: job.id }) });
    assert.equal(retried.status, 204);
    assert.equal((await waitForJob(server.node.db, job.id, 20_000)).state, 'DONE');
    const received = await ris.waitForMessages(5);
    const oru = received[4];
    assert.equal(field(oru, 'MSH', 10), message.controlId);
    // No IssuerOfPatientID in the images: the facility's code is the issuer (as the index files it)
    const { issuer } = await server.node.db.patient.findFirstOrThrow({ where: { facilityId, patientId: 'ORU-2' } });
    assert.equal(field(oru, 'PID', 3), `ORU-2^^^${issuer}^MR`);
    assert.equal(field(oru, 'PID', 5), 'Doe^Jane');
    // No order for this study: no order numbers, the study's description as the procedure
    assert.deepEqual([2, 3].map((n) => field(oru, 'ORC', n)), ['', '']);
    assert.equal(field(oru, 'OBR', 4), '^XR Hand');
    assert.equal(field(oru, 'OBR', 25), 'F');
    assert.equal((await server.node.db.hl7Message.findUniqueOrThrow({ where: { id: message.id } })).status, 'SENT');
  });

  it('queues nothing while the destination is turned off or removed', async () => {
    const report = reports.get(unordered.studyInstanceUid)!;
    const saved = await putDestination(users.admin, { host: '127.0.0.1', port: ris.port, receivingApplication: 'RIS', receivingFacility: 'HOSPITAL', enabled: false });
    assert.equal(saved.status, 200);
    const before = await server.node.db.hl7Message.count({ where: { direction: 'OUT' } });
    await openVersion(unordered.studyInstanceUid, 'amend', { reason: 'Typo', sections: [{ key: 'findings', text: 'No fracture seen.' }] });
    const signed = await signRoute(await call(users.expert, 'POST', `/api/reports/${report.id}/sign`, { baseRevision: report.revision, password: PASSWORD }), { params: Promise.resolve({ id: report.id }) });
    assert.equal(signed.status, 200);
    report.revision = ((await signed.json()) as ReportAnswer).revision;
    assert.equal(await server.node.db.hl7Message.count({ where: { direction: 'OUT' } }), before);
    assert.equal((await deleteDestinationRoute(await call(users.admin, 'DELETE', destinationPath()), facilityParams())).status, 204);
    assert.deepEqual(await (await getDestinationRoute(await call(users.admin, 'GET', destinationPath()), facilityParams())).json(), { destination: null });
  });

  it('carries a large signed PDF (3 MB, 4 MB of Base64) in one frame', async () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(3 * 1024 * 1024, 0xa5)]);
    const raw = buildOru({
      controlId: 'large-pdf-1',
      now: new Date(),
      sendingApplication: 'TELEPACS',
      sendingFacility: 'NORTH',
      receivingApplication: 'RIS',
      receivingFacility: 'HOSPITAL',
      patient: { patientId: 'BIG-1', issuer: '', name: 'Big^Pdf', sex: '', birthDate: '' },
      order: null,
      study: { description: 'MR', studyDate: '', studyTime: '', accessionNumber: '' },
      resultStatus: 'F',
      signedAt: new Date(),
      signerName: 'Anna Berg',
      reason: null,
      sections: [{ code: { value: '19005-8', scheme: 'LN', meaning: 'Impressions' }, title: 'Impression', text: 'Normal.' }],
      link: null,
      pdf,
    });
    const count = ris.messages().length;
    const ack = await sendMllpMessage({ host: '127.0.0.1', port: ris.port, message: raw });
    assert.match(ack.toString('utf8'), /MSA\|AA\|large-pdf-1/);
    const received = (await ris.waitForMessages(count + 1))[count];
    const [ed] = obxValues(received, 'ED');
    assert.ok(Buffer.from(ed.fields[5].split('^')[4], 'base64').equals(pdf));
  });
});
