// Teleconsultation sessions, first step (issue 5): starting one on a study,
// the /consult socket.io namespace with presence, and the rule that only
// invited participants get in — anyone else gets NOT_FOUND, even with the id.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { io as connect, type Socket } from 'socket.io-client';
import { SESSION_COOKIE_NAME, createSession } from '../../lib/auth';
import { isAdminError } from '../../lib/admin/errors';
import { consultationForParticipant, startConsultation } from '../../lib/consult/consultations';
import { isPolicyError } from '../../lib/policy';
import { createFacility, createUser } from '../../lib/policy/test-fixtures';
import { CONSULT_EVENTS, CONSULT_NAMESPACE, type ConsultJoinAck, type ConsultPresencePayload } from '../../lib/realtime/events';
import { makeStudy } from '../support/fixtures';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from '../support/test-server';

describe('teleconsultation sessions', () => {
  let server: TestServer;
  const sockets: Socket[] = [];
  const study = makeStudy({ patientId: 'TC-1', series: 1, instancesPerSeries: 1, seed: 'consult' });
  let adminId: string;
  let consultationId: string;

  async function cookieFor(email: string): Promise<string> {
    const user = await server.node.db.user.findUniqueOrThrow({ where: { email } });
    const { token } = await createSession(server.node.db, { userId: user.id, ttlHours: 1 });
    return `${SESSION_COOKIE_NAME}=${token}`;
  }

  async function open(email?: string): Promise<Socket> {
    const socket = connect(`${server.url}${CONSULT_NAMESPACE}`, {
      transports: ['websocket'],
      reconnection: false,
      extraHeaders: email ? { cookie: await cookieFor(email) } : {},
    });
    sockets.push(socket);
    return socket;
  }

  function join(socket: Socket, id: string): Promise<ConsultJoinAck> {
    return new Promise((resolve) => socket.emit(CONSULT_EVENTS.JOIN, { consultationId: id }, resolve));
  }

  function nextPresence(socket: Socket, predicate: (payload: ConsultPresencePayload) => boolean): Promise<ConsultPresencePayload> {
    return new Promise((resolve) => {
      const listener = (payload: ConsultPresencePayload) => {
        if (!predicate(payload)) return;
        socket.off(CONSULT_EVENTS.PRESENCE, listener);
        resolve(payload);
      };
      socket.on(CONSULT_EVENTS.PRESENCE, listener);
    });
  }

  before(async () => {
    server = await startTestServer();
    const db = server.node.db;
    adminId = (await db.user.findUniqueOrThrow({ where: { email: TEST_ADMIN_EMAIL } })).id;
    const home = await db.membership.findFirstOrThrow({ where: { userId: adminId } });
    for (const file of study) await server.node.archive.ingest(file, { kind: 'import', source: 'consult-test' }, home.facilityId);
    const valley = await createFacility(db, 'Valley Clinic');
    await createUser(db, { email: 'expert@valley.example', memberships: [{ facilityId: valley.id, role: 'EXPERT' }] });
    await createUser(db, { email: 'outsider@valley.example', memberships: [{ facilityId: valley.id, role: 'REFERRING' }] });
  });
  after(async () => {
    for (const socket of sockets) socket.close();
    await server?.stop();
  });

  it('starts a session on a readable study with invited colleagues, audited; refuses unknown e-mails and unreadable studies', async () => {
    const db = server.node.db;
    const actor = { userId: adminId, email: TEST_ADMIN_EMAIL, ip: '10.0.0.7' };
    const started = await startConsultation(db, actor, { studyInstanceUid: study.studyInstanceUid, invitees: ['Expert@Valley.example'], title: 'Second opinion' });
    consultationId = started.id;
    const view = await consultationForParticipant(db, adminId, consultationId);
    assert.deepEqual(view.participants.map((p) => [p.email, p.role]), [[TEST_ADMIN_EMAIL, 'HOST'], ['expert@valley.example', 'PARTICIPANT']]);
    const audit = await db.auditEvent.findFirst({ where: { action: 'consult.start', studyUid: study.studyInstanceUid } });
    assert.equal(audit?.patientId, 'TC-1');

    await assert.rejects(
      startConsultation(db, actor, { studyInstanceUid: study.studyInstanceUid, invitees: ['nobody@nowhere.example'] }),
      (error: unknown) => isAdminError(error) && /nobody@nowhere.example/.test(error.fields.invitees ?? ''),
    );
    const outsider = await db.user.findUniqueOrThrow({ where: { email: 'outsider@valley.example' } });
    await assert.rejects(
      startConsultation(db, { userId: outsider.id, email: outsider.email, ip: '' }, { studyInstanceUid: study.studyInstanceUid, invitees: [TEST_ADMIN_EMAIL] }),
      (error: unknown) => isPolicyError(error) && error.code === 'NOT_FOUND',
      'a study of another facility cannot be the subject of a session started by an outsider',
    );
  });

  it('lets the invited join and shows who is here; an outsider and an unknown id get NOT_FOUND; no session, no connection', async () => {
    const host = await open(TEST_ADMIN_EMAIL);
    const hostJoined = await join(host, consultationId);
    assert.equal(hostJoined.ok, true);
    if (!hostJoined.ok) return;
    assert.equal(hostJoined.studyInstanceUid, study.studyInstanceUid);
    assert.deepEqual(hostJoined.participants.map((p) => [p.role, p.online]), [['HOST', true], ['PARTICIPANT', false]]);

    const bothHere = nextPresence(host, (payload) => payload.participants.every((p) => p.online));
    const expert = await open('expert@valley.example');
    const expertJoined = await join(expert, consultationId);
    assert.equal(expertJoined.ok, true, 'a participant of another facility joins: the invitation is the sharing');
    assert.equal((await bothHere).consultationId, consultationId);

    const outsider = await open('outsider@valley.example');
    assert.deepEqual(await join(outsider, consultationId), { ok: false, error: 'NOT_FOUND' });
    assert.deepEqual(await join(outsider, 'c0000000000000000000000000'), { ok: false, error: 'NOT_FOUND' }, 'unknown looks the same');
    await assert.rejects(consultationForParticipant(server.node.db, (await server.node.db.user.findUniqueOrThrow({ where: { email: 'outsider@valley.example' } })).id, consultationId));

    const anonymous = await open();
    const refused = await new Promise<Error>((resolve) => anonymous.on('connect_error', resolve));
    assert.match(refused.message, /not signed in/);

    const expertGone = nextPresence(host, (payload) => payload.participants.some((p) => p.role === 'PARTICIPANT' && !p.online));
    expert.close();
    await expertGone;
  });

  it('kept who took part and when, and audited each join and leave', async () => {
    const db = server.node.db;
    const rows = await db.consultationParticipant.findMany({ where: { consultationId }, include: { user: { select: { email: true } } } });
    const expert = rows.find((row) => row.user.email === 'expert@valley.example');
    assert.ok(expert?.firstJoinedAt, 'first join recorded');
    // The leave is recorded after the disconnect is processed
    for (let i = 0; i < 50 && !(await db.consultationParticipant.findFirst({ where: { id: expert.id, lastLeftAt: { not: null } } })); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok((await db.consultationParticipant.findUniqueOrThrow({ where: { id: expert.id } })).lastLeftAt, 'leave recorded');
    const actions = (await db.auditEvent.findMany({ where: { resource: `consultations/${consultationId}` }, select: { action: true, actor: true } })).map((e) => `${e.action}:${e.actor}`);
    assert.ok(actions.includes(`consult.join:${TEST_ADMIN_EMAIL}`));
    assert.ok(actions.includes('consult.join:expert@valley.example'));
    assert.ok(actions.includes('consult.leave:expert@valley.example'));
  });
});
