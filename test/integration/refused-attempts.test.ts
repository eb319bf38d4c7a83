// Issue 12 §4: a user of facility B probing facility A's data is answered
// exactly as for something that does not exist, and A's administrators see
// every such attempt in their audit view and CSV export, with the patient and
// study it touched and the DICOM audit event ID; B's administrators see their
// member's attempts the same whether the thing exists or not.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { io as connect, type Socket } from 'socket.io-client';
import { GET as exportAuditRoute } from '../../app/api/audit/export/route';
import { GET as consultationRoute } from '../../app/api/consultations/[id]/route';
import { POST as deleteStudyRoute } from '../../app/api/studies/[uid]/delete/route';
import { GET as downloadStudyRoute } from '../../app/api/studies/[uid]/download/route';
import { auditQueueFor } from '../../lib/audit/audit-queue';
import { findAuditEventPage, resolveAuditQuery, type AuditEventRow } from '../../lib/audit/audit-query';
import { SESSION_COOKIE_NAME, createSession, hashPassword } from '../../lib/auth';
import { startConsultation } from '../../lib/consult/consultations';
import { createFacility, createUser } from '../../lib/policy/test-fixtures';
import { CONSULT_EVENTS, CONSULT_NAMESPACE, type ConsultJoinAck } from '../../lib/realtime/events';
import { parseCsv } from '../support/csv';
import { basicAuthHeader } from '../support/dicomweb-client';
import { makeStudy } from '../support/fixtures';
import { stowBody } from '../support/stow';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from '../support/test-server';

const PROBER = 'prober@valley.example';
const PROBER_PASSWORD = 'prober password 1';

describe('refused attempts, seen by the owner', () => {
  let server: TestServer;
  let adminId: string;
  let valleyAdminId: string;
  let homeFacilityId: string;
  let consultationId: string;
  const cookies: Record<'admin' | 'prober', string> = { admin: '', prober: '' };
  const sockets: Socket[] = [];
  const study = makeStudy({ patientId: 'PROBED-1', patientName: 'Probed^Paula', series: 1, instancesPerSeries: 1, seed: 'refused-attempts' });
  const [s1] = study.seriesInstanceUids;
  const i1 = study.sopInstanceUids[0][0];
  const prober = basicAuthHeader(PROBER, PROBER_PASSWORD);
  // As long as the real one, so that even Content-Length cannot differ
  const MISSING_STUDY = `${study.studyInstanceUid.slice(0, -1)}${(Number(study.studyInstanceUid.slice(-1)) + 1) % 10}`;

  async function cookieFor(userId: string): Promise<string> {
    return `${SESSION_COOKIE_NAME}=${(await createSession(server.node.db, { userId, ttlHours: 1 })).token}`;
  }
  /** A route handler called as Next would: same-origin, with the session cookie. */
  function request(path: string, method: string, cookie: string, body?: unknown): Request {
    const url = new URL(path, server.url);
    const headers: Record<string, string> = { host: url.host, 'content-type': 'application/json' };
    if (method !== 'GET') headers.origin = url.origin;
    headers.cookie = cookie;
    return new Request(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  }
  const params = <T extends Record<string, string>>(value: T) => ({ params: Promise.resolve(value) });

  /** What a client can observe of an answer, with the asked-for study UID put back to a neutral one. */
  async function observed(response: Response, askedStudy: string) {
    const headers = [...response.headers].filter(([name]) => !['date', 'connection', 'keep-alive'].includes(name));
    const body = (await response.text()).replaceAll(askedStudy, '<study>');
    return { status: response.status, headers, body: body };
  }

  async function auditSeenBy(viewerId: string, filters: Record<string, string>): Promise<AuditEventRow[]> {
    await auditQueueFor(server.node.runtime).flush();
    const resolved = await resolveAuditQuery(server.node, viewerId, new URLSearchParams(filters));
    assert.ok(resolved.ok);
    return (await findAuditEventPage(server.node, resolved.query)).events;
  }
  const eventIdOf = (row: AuditEventRow) => (JSON.parse(row.details) as { eventId?: string }).eventId;

  before(async () => {
    server = await startTestServer();
    const db = server.node.db;
    homeFacilityId = server.node.firstRun.facilityId;
    adminId = (await db.user.findUniqueOrThrow({ where: { email: TEST_ADMIN_EMAIL } })).id;
    const valley = await createFacility(db, 'Valley Clinic');
    const proberUser = await createUser(db, { email: PROBER, passwordHash: await hashPassword(PROBER_PASSWORD), memberships: [{ facilityId: valley.id, role: 'REFERRING' }] });
    valleyAdminId = (await createUser(db, { email: 'admin@valley.example', memberships: [{ facilityId: valley.id, role: 'ADMIN' }] })).id;
    const colleague = await createUser(db, { email: 'colleague@home.example', memberships: [{ facilityId: homeFacilityId, role: 'REFERRING' }] });
    const { body, contentType } = stowBody(study);
    const stored = await fetch(`${server.dicomwebUrl}/studies`, { method: 'POST', headers: { 'content-type': contentType, authorization: server.adminAuthorization }, body: new Uint8Array(body) });
    assert.equal(stored.status, 200);
    consultationId = (await startConsultation({ db }, { userId: adminId, email: TEST_ADMIN_EMAIL, ip: '127.0.0.1' }, { studyInstanceUid: study.studyInstanceUid, invitees: [colleague.email] })).id;
    cookies.admin = await cookieFor(adminId);
    cookies.prober = await cookieFor(proberUser.id);
  });
  after(async () => {
    for (const socket of sockets) socket.close();
    await server?.stop();
  });

  it("answers B's DICOMweb reads of A's study byte for byte like an unknown study, and A's administrator sees each one", async () => {
    const paths = (studyUid: string) => [
      `/dicomweb/studies/${studyUid}/series`,
      `/dicomweb/studies/${studyUid}/series/${s1}/instances`,
      `/dicomweb/studies/${studyUid}/metadata`,
      `/dicomweb/studies/${studyUid}/series/${s1}/metadata`,
      `/dicomweb/studies/${studyUid}/series/${s1}/instances/${i1}`,
      `/dicomweb/studies/${studyUid}/series/${s1}/instances/${i1}/frames/1`,
      `/wado?requestType=WADO&studyUID=${studyUid}&seriesUID=${s1}&objectUID=${i1}&contentType=application/dicom`,
    ];
    const real = paths(study.studyInstanceUid);
    const fake = paths(MISSING_STUDY);
    for (let k = 0; k < real.length; k++) {
      const a = await fetch(`${server.url}${real[k]}`, { headers: { authorization: prober } });
      const b = await fetch(`${server.url}${fake[k]}`, { headers: { authorization: prober } });
      assert.equal(a.status, 404, real[k]);
      assert.deepEqual(await observed(a, study.studyInstanceUid), await observed(b, MISSING_STUDY), real[k]);
    }

    const seenByOwner = (await auditSeenBy(adminId, { studyUid: study.studyInstanceUid })).filter((row) => row.actor === PROBER);
    assert.equal(seenByOwner.length, real.length, 'one event per refused request');
    for (const row of seenByOwner) {
      assert.equal(row.outcome, 'DENIED');
      assert.equal(row.action, 'dicomweb.read');
      assert.equal(row.facilityId, homeFacilityId);
      assert.equal(row.patientId, 'PROBED-1');
      assert.equal(eventIdOf(row), '110103', 'DICOM Instances Accessed');
    }
    // The unknown study belongs to nobody: nothing reaches A
    assert.equal((await auditSeenBy(adminId, { studyUid: MISSING_STUDY })).length, 0);

    // B's administrator sees their member's attempts alike, whether the study exists or not
    const seenByProbersAdmin = await auditSeenBy(valleyAdminId, { actor: PROBER, action: 'dicomweb.read' });
    const shape = (studyUid: string) =>
      seenByProbersAdmin
        .filter((row) => row.studyUid === studyUid)
        .map((row) => ({ facility: row.facilityId, patient: row.patientId, outcome: row.outcome, resource: row.resource.replaceAll(studyUid, '<study>') }))
        .sort((x, y) => x.resource.localeCompare(y.resource));
    assert.equal(shape(study.studyInstanceUid).length, real.length);
    assert.deepEqual(shape(study.studyInstanceUid), shape(MISSING_STUDY));
    assert.ok(seenByProbersAdmin.every((row) => row.facilityId === null && row.patientId === null));
  });

  it("records B's refused zip download and delete of A's study for A, answered like an unknown study", async () => {
    for (const studyUid of [study.studyInstanceUid, MISSING_STUDY]) {
      const path = `/api/studies/${studyUid}`;
      const download = await downloadStudyRoute(request(`${path}/download`, 'GET', cookies.prober), params({ uid: studyUid }));
      const removal = await deleteStudyRoute(request(`${path}/delete`, 'POST', cookies.prober, { reason: 'probing' }), params({ uid: studyUid }));
      assert.deepEqual([download.status, await download.text()], [404, JSON.stringify({ error: 'NOT_FOUND', message: 'No such study.' })]);
      assert.deepEqual([removal.status, await removal.text()], [404, JSON.stringify({ error: 'NOT_FOUND', message: 'No such study.' })]);
    }
    const seen = (await auditSeenBy(adminId, { studyUid: study.studyInstanceUid, outcome: 'DENIED' })).filter((row) => row.actor === PROBER);
    const download = seen.find((row) => row.action === 'portal.study.download');
    const removal = seen.find((row) => row.action === 'portal.study.delete');
    assert.equal(download?.patientId, 'PROBED-1');
    assert.equal(eventIdOf(download!), '110106', 'Export');
    assert.equal(removal?.facilityId, homeFacilityId);
    assert.equal(eventIdOf(removal!), '110105', 'DICOM Study Deleted');
    // The study is still there
    assert.equal((await fetch(`${server.dicomwebUrl}/studies/${study.studyInstanceUid}/series`, { headers: { authorization: server.adminAuthorization } })).status, 200);
  });

  it("records B's refused consultation join, by the API and by the /consult socket, for A", async () => {
    const missing = 'cm000000000000000000missing';
    for (const id of [consultationId, missing]) {
      const response = await consultationRoute(request(`/api/consultations/${id}`, 'GET', cookies.prober), params({ id }));
      assert.deepEqual([response.status, await response.text()], [404, JSON.stringify({ error: 'NOT_FOUND', message: 'Not found.' })]);
    }
    const socket = connect(`${server.url}${CONSULT_NAMESPACE}`, { transports: ['websocket'], reconnection: false, extraHeaders: { cookie: cookies.prober } });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const join = (id: string) => new Promise<ConsultJoinAck>((resolve) => socket.emit(CONSULT_EVENTS.JOIN, { consultationId: id }, resolve));
    assert.deepEqual(await join(consultationId), await join(missing));
    assert.deepEqual(await join(consultationId), { ok: false, error: 'NOT_FOUND' });

    const seen = (await auditSeenBy(adminId, { actor: PROBER, outcome: 'DENIED' })).filter((row) => row.facilityId === homeFacilityId);
    const viaApi = seen.find((row) => row.action === 'portal.consultation');
    const viaSocket = seen.filter((row) => row.action === 'consult.join');
    assert.equal(viaApi?.studyUid, study.studyInstanceUid);
    assert.equal(viaApi?.patientId, 'PROBED-1');
    assert.equal(viaSocket.length, 2);
    assert.ok(viaSocket.every((row) => row.resource.includes(consultationId) && eventIdOf(row) === '110103'));
  });

  it("records failed HTTP Basic sign-ins to A's accounts for A (110114), and throttles them with Retry-After", async () => {
    const guessing = basicAuthHeader(TEST_ADMIN_EMAIL, 'not the password');
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const response = await fetch(`${server.dicomwebUrl}/studies`, { headers: { authorization: guessing } });
      assert.equal(response.status, 401);
      assert.equal(response.headers.get('retry-after'), null);
    }
    const throttled = await fetch(`${server.dicomwebUrl}/studies`, { headers: { authorization: server.adminAuthorization } });
    assert.equal(throttled.status, 401, 'the right password from the guessing address waits too');
    const retryAfter = Number(throttled.headers.get('retry-after'));
    assert.ok(retryAfter > 0 && retryAfter <= 900, `Retry-After: ${retryAfter}`);
    assert.equal(((await throttled.json()) as { code?: string }).code, 'RATE_LIMITED');

    const seen = await auditSeenBy(adminId, { action: 'auth.basic' });
    assert.equal(seen.filter((row) => row.outcome === 'FAILURE').length, 5);
    assert.equal(seen.filter((row) => row.outcome === 'DENIED').length, 1);
    for (const row of seen) assert.deepEqual([row.actor, row.facilityId, eventIdOf(row)], [TEST_ADMIN_EMAIL, homeFacilityId, '110114']);

    // The CSV export shows the refused attempts with their DICOM event ID
    const csv = await exportAuditRoute(request('/api/audit/export?outcome=DENIED', 'GET', cookies.admin));
    assert.equal(csv.status, 200);
    const [header, ...rows] = parseCsv(await csv.text());
    const eventColumn = header.indexOf('dicom_event_id');
    assert.ok(eventColumn >= 0, header.join(','));
    const byAction = (action: string) => rows.filter((row) => row[header.indexOf('action')] === action);
    assert.ok(byAction('dicomweb.read').length >= 7);
    assert.ok(byAction('dicomweb.read').every((row) => row[eventColumn] === '110103' && row[header.indexOf('patient_id')] === 'PROBED-1'));
    assert.ok(byAction('auth.basic').every((row) => row[eventColumn] === '110114'));
    assert.equal(byAction('portal.study.download')[0]?.[eventColumn], '110106');
    assert.equal(byAction('consult.join').length, 2);
  });
});
