// Teleconsultation sessions (issue 5): starting one on a study, the /consult
// socket.io namespace — presence, the presenter, WebRTC signaling and the
// relay, persisted annotations, the end of a session — and the rule that only
// invited participants get in: anyone else gets NOT_FOUND, even with the id.
// Real server, real socket.io clients, on SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { io as connect, type Socket } from 'socket.io-client';
import { SESSION_COOKIE_NAME, createSession } from '../../lib/auth';
import { isAdminError } from '../../lib/admin/errors';
import type { CollabAnnotationInput, CollabMessage, ViewerSyncState } from '../../lib/collab/protocol';
import { consultationForParticipant, startConsultation } from '../../lib/consult/consultations';
import { isPolicyError } from '../../lib/policy';
import { createFacility, createUser } from '../../lib/policy/test-fixtures';
import {
  CONSULT_EVENTS,
  CONSULT_NAMESPACE,
  type ConsultAck,
  type ConsultAnnotationAck,
  type ConsultJoinAck,
  type ConsultJoinState,
  type ConsultPresencePayload,
  type ConsultServerEvents,
} from '../../lib/realtime/events';
import { permitSharing, patientRefOfStudy } from '../support/consent';
import { makeStudy } from '../support/fixtures';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from '../support/test-server';

const TURN_SECRET = 'integration-test-turn-secret';

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
    server = await startTestServer({ env: { STUN_URLS: 'stun:127.0.0.1:3478', TURN_URLS: 'turn:127.0.0.1:3478?transport=udp', TURN_SECRET } });
    const db = server.node.db;
    adminId = (await db.user.findUniqueOrThrow({ where: { email: TEST_ADMIN_EMAIL } })).id;
    const home = await db.membership.findFirstOrThrow({ where: { userId: adminId } });
    for (const file of study) await server.node.archive.ingest(file, { kind: 'import', source: 'consult-test' }, home.facilityId);
    // The patient agreed to share their images with the region's facilities
    await permitSharing(db, await patientRefOfStudy(db, study.studyInstanceUid, home.facilityId));
    const valley = await createFacility(db, 'Valley Clinic');
    await createUser(db, { email: 'expert@valley.example', memberships: [{ facilityId: valley.id, role: 'EXPERT' }] });
    await createUser(db, { email: 'outsider@valley.example', memberships: [{ facilityId: valley.id, role: 'REFERRING' }] });
    await createUser(db, { email: 'colleague@valley.example', memberships: [{ facilityId: valley.id, role: 'EXPERT' }] });
    await db.user.update({ where: { email: 'expert@valley.example' }, data: { name: 'Dr Expert' } });
  });
  after(async () => {
    for (const socket of sockets) socket.close();
    await server?.stop();
  });

  it('starts a session on a readable study with invited colleagues, audited; refuses unknown e-mails and unreadable studies', async () => {
    const db = server.node.db;
    const actor = { userId: adminId, email: TEST_ADMIN_EMAIL, ip: '10.0.0.7' };
    const started = await startConsultation({ db }, actor, { studyInstanceUid: study.studyInstanceUid, invitees: ['Expert@Valley.example'], title: 'Second opinion' });
    consultationId = started.id;
    const view = await consultationForParticipant(db, adminId, consultationId);
    assert.deepEqual(view.participants.map((p) => [p.email, p.role]), [[TEST_ADMIN_EMAIL, 'HOST'], ['expert@valley.example', 'PARTICIPANT']]);
    const audit = await db.auditEvent.findFirst({ where: { action: 'consult.start', studyUid: study.studyInstanceUid } });
    assert.equal(audit?.patientId, 'TC-1');

    await assert.rejects(
      startConsultation({ db }, actor, { studyInstanceUid: study.studyInstanceUid, invitees: ['nobody@nowhere.example'] }),
      (error: unknown) => isAdminError(error) && /nobody@nowhere.example/.test(error.fields.invitees ?? ''),
    );
    const outsider = await db.user.findUniqueOrThrow({ where: { email: 'outsider@valley.example' } });
    await assert.rejects(
      startConsultation({ db }, { userId: outsider.id, email: outsider.email, ip: '' }, { studyInstanceUid: study.studyInstanceUid, invitees: [TEST_ADMIN_EMAIL] }),
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

  // ---- The live session ----

  type ServerEvent = keyof ConsultServerEvents;
  type ServerPayload<E extends ServerEvent> = Parameters<ConsultServerEvents[E]>[0];

  function request<Ack>(socket: Socket, event: string, payload: unknown): Promise<Ack> {
    return new Promise((resolve) => socket.emit(event, payload, resolve));
  }

  /** The next `event` at `socket` that matches; fails after 5 s instead of hanging the suite. */
  function next<E extends ServerEvent>(socket: Socket, event: E, predicate: (payload: ServerPayload<E>) => boolean = () => true): Promise<ServerPayload<E>> {
    // The client socket is untyped (tests also send what the event map forbids); the name is one of the map's
    const name: string = event;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.off(name, listener);
        reject(new Error(`no ${event} within 5 s`));
      }, 5000);
      const listener = (payload: ServerPayload<E>) => {
        if (!predicate(payload)) return;
        clearTimeout(timer);
        socket.off(name, listener);
        resolve(payload);
      };
      socket.on(name, listener);
    });
  }

  /** Everything `socket` receives of `event` from now on. */
  function record<E extends ServerEvent>(socket: Socket, event: E): ServerPayload<E>[] {
    const name: string = event;
    const received: ServerPayload<E>[] = [];
    socket.on(name, (payload: ServerPayload<E>) => received.push(payload));
    return received;
  }

  /** Lets in-flight events arrive: a round trip through the server after everything sent so far. */
  async function settle(...peers: Socket[]): Promise<void> {
    for (const peer of peers) await request(peer, CONSULT_EVENTS.PRESENTER_REQUEST, { consultationId: 'none' });
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  async function joined(email: string, id: string): Promise<{ socket: Socket; state: ConsultJoinState }> {
    const socket = await open(email);
    const state = await join(socket, id);
    assert.ok(state.ok, `${email} joins: ${JSON.stringify(state)}`);
    return { socket, state };
  }

  async function newSession(invitees = ['expert@valley.example', 'colleague@valley.example']): Promise<string> {
    const actor = { userId: adminId, email: TEST_ADMIN_EMAIL, ip: '10.0.0.7' };
    return (await startConsultation(server.node, actor, { studyInstanceUid: study.studyInstanceUid, invitees })).id;
  }

  function userIdOf(email: string): Promise<string> {
    return server.node.db.user.findUniqueOrThrow({ where: { email } }).then((user) => user.id);
  }

  function lengthAnnotation(uid: string, version: number, overrides: Partial<CollabAnnotationInput> = {}): CollabAnnotationInput {
    return {
      uid,
      tool: 'Length',
      version,
      ref: { studyInstanceUid: study.studyInstanceUid, seriesInstanceUid: study.seriesInstanceUids[0], sopInstanceUid: study.sopInstanceUids[0][0], frameNumber: 1, frameOfReferenceUid: '' },
      points: [
        [0, 0, 0],
        [10 * version, 0, 0],
      ],
      imagePoints: [
        [0, 0],
        [20 * version, 0],
      ],
      viewPlaneNormal: [0, 0, 1],
      viewUp: [0, -1, 0],
      stats: { length: 10 * version },
      ...overrides,
    };
  }

  const upsert = (socket: Socket, id: string, annotation: unknown) => request<ConsultAnnotationAck>(socket, CONSULT_EVENTS.ANNOTATION_UPSERT, { consultationId: id, annotation });
  const remove = (socket: Socket, id: string, uid: string) => request<ConsultAck>(socket, CONSULT_EVENTS.ANNOTATION_REMOVE, { consultationId: id, uid });
  const handOver = (socket: Socket, id: string, toUserId: string) => request<ConsultAck>(socket, CONSULT_EVENTS.PRESENTER_HANDOVER, { consultationId: id, toUserId });

  const VIEW: ViewerSyncState = {
    layout: '1x2',
    active: 1,
    viewports: [
      { seriesInstanceUid: study.seriesInstanceUids[0], imageIndex: 0, voi: { windowWidth: 400, windowCenter: 40 }, camera: { parallelScale: 120, focalPoint: [12, -4, -7.5] }, invert: false },
      { seriesInstanceUid: null, imageIndex: 0, voi: null, camera: null, invert: false },
    ],
  };
  const viewport = (seq: number, state: ViewerSyncState = VIEW): CollabMessage => ({ type: 'viewport', seq, sentAt: Date.now(), state });

  describe('live session', () => {
    it("gives a late joiner the annotations and the presenter's last viewport in the JOIN answer", async () => {
      const id = await newSession();
      const host = await joined(TEST_ADMIN_EMAIL, id);
      assert.equal(host.state.presenterUserId, adminId, 'the host presents by default');
      assert.equal(host.state.viewer, null, 'nobody has presented yet');
      assert.equal((await upsert(host.socket, id, lengthAnnotation('a-late-1', 1))).ok, true);
      // The presenter's viewport reaches the server even when every peer has a data channel (to: [])
      host.socket.emit(CONSULT_EVENTS.RELAY, { consultationId: id, to: [], message: viewport(1) });
      await settle(host.socket);

      const expert = await joined('expert@valley.example', id);
      assert.equal(expert.state.peerId, expert.socket.id);
      assert.equal(expert.state.userId, await userIdOf('expert@valley.example'));
      assert.equal(expert.state.presenterUserId, adminId);
      assert.deepEqual(expert.state.viewer, VIEW);
      assert.deepEqual(
        expert.state.annotations.map((a) => [a.uid, a.version, a.authorUserId, a.color, a.stats?.length]),
        [['a-late-1', 1, adminId, '#facc15', 10]],
      );
      assert.deepEqual(
        expert.state.participants.map((p) => [p.role, p.color, p.online, p.peers.map((peer) => peer.peerId)]),
        [
          ['HOST', '#facc15', true, [host.socket.id]],
          ['PARTICIPANT', '#38bdf8', true, [expert.socket.id]],
          ['PARTICIPANT', '#f472b6', false, []],
        ],
        'colours by invitation order, the host first; the same as the annotations',
      );
    });

    it('gives TURN REST credentials (coturn use-auth-secret) with the STUN and TURN servers in the JOIN answer', async () => {
      const id = await newSession();
      const before = Math.floor(Date.now() / 1000);
      const { state } = await joined(TEST_ADMIN_EMAIL, id);
      const [stun, turn] = state.iceServers;
      assert.deepEqual(stun, { urls: ['stun:127.0.0.1:3478'] });
      assert.deepEqual(turn.urls, ['turn:127.0.0.1:3478?transport=udp']);
      const [expiry, userId] = String(turn.username).split(':');
      assert.equal(userId, adminId);
      assert.ok(Number(expiry) >= before + 12 * 3600 && Number(expiry) <= before + 12 * 3600 + 5, 'valid for 12 hours');
      assert.equal(turn.credential, createHmac('sha1', TURN_SECRET).update(String(turn.username)).digest('base64'));
    });

    it('forwards WebRTC signals only between tabs of the same session', async () => {
      const id = await newSession();
      const other = await newSession(['outsider@valley.example']);
      const host = await joined(TEST_ADMIN_EMAIL, id);
      const expert = await joined('expert@valley.example', id);
      const stranger = await joined('outsider@valley.example', other);
      const atHost = record(host.socket, CONSULT_EVENTS.SIGNAL);

      const offer = { type: 'offer', sdp: 'v=0 …' };
      expert.socket.emit(CONSULT_EVENTS.SIGNAL, { consultationId: id, to: host.socket.id, data: offer });
      assert.deepEqual(await next(host.socket, CONSULT_EVENTS.SIGNAL), { consultationId: id, from: expert.socket.id, data: offer });

      // A participant of another session, addressing the host's tab through its own session and through this one
      stranger.socket.emit(CONSULT_EVENTS.SIGNAL, { consultationId: other, to: host.socket.id, data: offer });
      stranger.socket.emit(CONSULT_EVENTS.SIGNAL, { consultationId: id, to: host.socket.id, data: offer });
      // Too big to be signaling
      expert.socket.emit(CONSULT_EVENTS.SIGNAL, { consultationId: id, to: host.socket.id, data: { sdp: 'x'.repeat(65 * 1024) } });
      await settle(stranger.socket, expert.socket);
      assert.equal(atHost.length, 1, 'only the signal from the same session arrived');
    });

    it('relays a message to the addressed peers of the session, never to a tab outside it', async () => {
      const id = await newSession();
      const other = await newSession(['outsider@valley.example']);
      const host = await joined(TEST_ADMIN_EMAIL, id);
      const expert = await joined('expert@valley.example', id);
      const colleague = await joined('colleague@valley.example', id);
      const stranger = await joined('outsider@valley.example', other);
      const atStranger = record(stranger.socket, CONSULT_EVENTS.RELAYED);
      const atColleague = record(colleague.socket, CONSULT_EVENTS.RELAYED);

      const laser: CollabMessage = { type: 'laser', seq: 7, sentAt: Date.now(), laser: { viewportIndex: 0, world: [1, 2, 3] } };
      expert.socket.emit(CONSULT_EVENTS.RELAY, { consultationId: id, to: [host.socket.id, stranger.socket.id], message: laser });
      assert.deepEqual(await next(host.socket, CONSULT_EVENTS.RELAYED), { consultationId: id, from: expert.socket.id, userId: await userIdOf('expert@valley.example'), message: laser });
      expert.socket.emit(CONSULT_EVENTS.RELAY, { consultationId: id, to: [host.socket.id], message: { type: 'shell', seq: 1, sentAt: 0 } });
      expert.socket.emit(CONSULT_EVENTS.RELAY, { consultationId: id, to: [host.socket.id], message: { ...laser, padding: 'x'.repeat(257 * 1024) } });
      await settle(expert.socket, host.socket);
      assert.deepEqual(atStranger, [], 'a tab of another session gets nothing');
      assert.deepEqual(atColleague, [], 'a peer of the session that was not addressed gets nothing');
    });

    it("keeps and relays only the presenter's viewport, not a follower's", async () => {
      const id = await newSession();
      const host = await joined(TEST_ADMIN_EMAIL, id);
      const expert = await joined('expert@valley.example', id);
      const atHost = record(host.socket, CONSULT_EVENTS.RELAYED);
      const presenterView = viewport(1);
      host.socket.emit(CONSULT_EVENTS.RELAY, { consultationId: id, to: [expert.socket.id], message: presenterView });
      assert.deepEqual((await next(expert.socket, CONSULT_EVENTS.RELAYED)).message, presenterView);

      const followerView = viewport(2, { layout: '1x1', active: 0, viewports: [VIEW.viewports[0]] });
      expert.socket.emit(CONSULT_EVENTS.RELAY, { consultationId: id, to: [host.socket.id], message: followerView });
      // Not a viewer state: neither kept nor relayed
      host.socket.emit(CONSULT_EVENTS.RELAY, { consultationId: id, to: [expert.socket.id], message: { type: 'viewport', seq: 3, sentAt: 0, state: { layout: '3x3' } } });
      await settle(expert.socket, host.socket);
      assert.deepEqual(atHost, [], "a follower's viewport reaches nobody");
      const late = await joined('colleague@valley.example', id);
      assert.deepEqual(late.state.viewer, VIEW, "a late joiner gets the presenter's view");
    });

    it('keeps an annotation change only with a higher version, from its author; the author or the host deletes; deleted stays deleted', async () => {
      const id = await newSession();
      const host = await joined(TEST_ADMIN_EMAIL, id);
      const expert = await joined('expert@valley.example', id);
      const colleague = await joined('colleague@valley.example', id);
      const atExpert = record(expert.socket, CONSULT_EVENTS.ANNOTATION_CHANGED);
      const expertId = await userIdOf('expert@valley.example');

      const changedAtHost = next(host.socket, CONSULT_EVENTS.ANNOTATION_CHANGED);
      const created = await upsert(expert.socket, id, { ...lengthAnnotation('a-rule-1', 1), authorUserId: adminId, color: '#000000' });
      assert.ok(created.ok);
      assert.equal(created.annotation.authorUserId, expertId, "the author is the socket's user, whatever the client says");
      assert.equal(created.annotation.authorName, 'Dr Expert');
      assert.equal(created.annotation.color, '#38bdf8');
      assert.deepEqual((await changedAtHost).annotation, created.annotation, 'the others get it as persisted');

      assert.deepEqual(await upsert(expert.socket, id, lengthAnnotation('a-rule-1', 1)), { ok: false, error: 'CONFLICT', message: 'version 1 is not newer than the stored version 1' });
      const edited = await upsert(expert.socket, id, lengthAnnotation('a-rule-1', 2));
      assert.ok(edited.ok && edited.annotation.version === 2 && edited.annotation.stats?.length === 20);
      const byHost = await upsert(host.socket, id, lengthAnnotation('a-rule-1', 3));
      assert.equal(!byHost.ok && byHost.error, 'FORBIDDEN', "not even the host edits a colleague's measurement");
      assert.deepEqual(await remove(colleague.socket, id, 'a-rule-1'), { ok: false, error: 'FORBIDDEN', message: 'only the author or the host deletes an annotation' });

      const removedAtExpert = next(expert.socket, CONSULT_EVENTS.ANNOTATION_REMOVED);
      assert.deepEqual(await remove(host.socket, id, 'a-rule-1'), { ok: true });
      assert.deepEqual(await removedAtExpert, { consultationId: id, uid: 'a-rule-1', version: 3, byUserId: adminId });
      assert.deepEqual(await upsert(expert.socket, id, lengthAnnotation('a-rule-1', 4)), { ok: false, error: 'CONFLICT', message: 'the annotation was deleted' });
      assert.deepEqual(await remove(host.socket, id, 'a-rule-1'), { ok: true }, 'deleting again changes nothing');
      assert.deepEqual(await remove(host.socket, id, 'a-never-drawn'), { ok: false, error: 'NOT_FOUND', message: 'no such annotation in this session' });

      // The author deletes their own; the list a late joiner gets has neither
      assert.ok((await upsert(colleague.socket, id, lengthAnnotation('a-rule-2', 1))).ok);
      assert.deepEqual(await remove(colleague.socket, id, 'a-rule-2'), { ok: true });
      const late = await joined('expert@valley.example', id);
      assert.deepEqual(late.state.annotations, []);

      const db = server.node.db;
      const stored = await db.consultationAnnotation.findUniqueOrThrow({ where: { id: 'a-rule-1' } });
      assert.ok(stored.deletedAt, 'the row is kept, marked deleted');
      const audit = await db.auditEvent.findMany({ where: { resource: `consultations/${id}`, action: { startsWith: 'consult.annotation.' } }, orderBy: { at: 'asc' }, select: { action: true, actor: true } });
      assert.deepEqual(audit.map((event) => `${event.action}:${event.actor}`), [
        'consult.annotation.create:expert@valley.example',
        `consult.annotation.delete:${TEST_ADMIN_EMAIL}`,
        'consult.annotation.create:colleague@valley.example',
        'consult.annotation.delete:colleague@valley.example',
      ], 'creation and deletion are audited, edits are not');
      assert.deepEqual(atExpert.filter((change) => change.annotation.uid === 'a-rule-1'), [], 'the author does not get their own change back');
    });

    it('keeps the newest of a create and an edit that race each other, created (and audited) once', async () => {
      const id = await newSession();
      const host = await joined(TEST_ADMIN_EMAIL, id);
      const answers = await Promise.all([upsert(host.socket, id, lengthAnnotation('a-race-1', 1)), upsert(host.socket, id, lengthAnnotation('a-race-1', 2))]);
      for (const answer of answers) assert.ok(answer.ok || answer.error === 'CONFLICT', JSON.stringify(answer));
      const db = server.node.db;
      assert.equal((await db.consultationAnnotation.findUniqueOrThrow({ where: { id: 'a-race-1' } })).version, 2);
      assert.equal(await db.auditEvent.count({ where: { resource: `consultations/${id}`, action: 'consult.annotation.create' } }), 1);
    });

    it('refuses an annotation on another study, a malformed one, and one from a tab that did not join', async () => {
      const id = await newSession();
      const host = await joined(TEST_ADMIN_EMAIL, id);
      const otherStudy = lengthAnnotation('a-bad-1', 1);
      otherStudy.ref = { ...otherStudy.ref, studyInstanceUid: '1.2.3.999' };
      assert.deepEqual(await upsert(host.socket, id, otherStudy), { ok: false, error: 'BAD_REQUEST', message: 'the annotation is not on the study of this session' });
      const angleWithTwoHandles = await upsert(host.socket, id, lengthAnnotation('a-bad-2', 1, { tool: 'Angle' }));
      assert.equal(!angleWithTwoHandles.ok && angleWithTwoHandles.error, 'BAD_REQUEST');
      assert.equal(((await upsert(host.socket, id, 'not an annotation')) as { error?: string }).error, 'BAD_REQUEST');
      const outsider = await open('outsider@valley.example');
      assert.deepEqual(await upsert(outsider, id, lengthAnnotation('a-bad-3', 1)), { ok: false, error: 'NOT_FOUND', message: 'not in this session' });
      assert.equal(await server.node.db.consultationAnnotation.count({ where: { consultationId: id } }), 0);
    });

    it('hands the presenter role over: by the presenter or the host, to someone online; requests go to the room', async () => {
      const id = await newSession();
      const host = await joined(TEST_ADMIN_EMAIL, id);
      const expert = await joined('expert@valley.example', id);
      const expertId = await userIdOf('expert@valley.example');
      const colleagueId = await userIdOf('colleague@valley.example');

      assert.deepEqual(await handOver(expert.socket, id, expertId), { ok: false, error: 'FORBIDDEN', message: 'only the presenter or the host hands the presenter role over' });
      assert.deepEqual(await handOver(host.socket, id, colleagueId), { ok: false, error: 'CONFLICT', message: 'the new presenter is not in the session now' });

      const requested = next(host.socket, CONSULT_EVENTS.PRESENTER_REQUESTED);
      assert.deepEqual(await request(expert.socket, CONSULT_EVENTS.PRESENTER_REQUEST, { consultationId: id }), { ok: true });
      assert.deepEqual(await requested, { consultationId: id, userId: expertId, name: 'Dr Expert' });

      const expertPresents = next(host.socket, CONSULT_EVENTS.PRESENCE, (presence) => presence.presenterUserId === expertId);
      assert.deepEqual(await handOver(host.socket, id, expertId), { ok: true });
      await expertPresents;

      // Now the expert's viewport is the one kept, and the host's is dropped
      expert.socket.emit(CONSULT_EVENTS.RELAY, { consultationId: id, to: [], message: viewport(2) });
      host.socket.emit(CONSULT_EVENTS.RELAY, { consultationId: id, to: [expert.socket.id], message: viewport(3, { ...VIEW, active: 0 }) });
      await settle(expert.socket, host.socket);
      const colleague = await joined('colleague@valley.example', id);
      assert.equal(colleague.state.presenterUserId, expertId);
      assert.deepEqual(colleague.state.viewer, VIEW);

      // The host can always take the role back; the presenter hands it on
      assert.deepEqual(await handOver(host.socket, id, adminId), { ok: true });
      assert.deepEqual(await handOver(host.socket, id, colleagueId), { ok: true });
      const backToHost = next(expert.socket, CONSULT_EVENTS.PRESENCE, (presence) => presence.presenterUserId === adminId);
      colleague.socket.close();
      await backToHost;
    });

    it("shows each tab's microphone and camera to the others", async () => {
      const id = await newSession();
      const host = await joined(TEST_ADMIN_EMAIL, id);
      const expert = await joined('expert@valley.example', id);
      const unmuted = next(host.socket, CONSULT_EVENTS.PRESENCE, (presence) => presence.participants.some((p) => p.peers.some((peer) => peer.peerId === expert.socket.id && peer.audio && !peer.video)));
      expert.socket.emit(CONSULT_EVENTS.MEDIA_STATE, { consultationId: id, audio: true, video: false });
      await unmuted;
      const late = await joined('colleague@valley.example', id);
      const expertPeer = late.state.participants.flatMap((p) => p.peers).find((peer) => peer.peerId === expert.socket.id);
      assert.deepEqual(expertPeer, { peerId: expert.socket.id, userId: await userIdOf('expert@valley.example'), audio: true, video: false });
    });

    it('lets only the host end a session; everyone is told and leaves; a rejoin gets ENDED, an outsider still NOT_FOUND', async () => {
      const id = await newSession();
      const host = await joined(TEST_ADMIN_EMAIL, id);
      const expert = await joined('expert@valley.example', id);
      assert.deepEqual(await request(expert.socket, CONSULT_EVENTS.END, { consultationId: id }), { ok: false, error: 'FORBIDDEN', message: 'only the host ends the session' });

      const endedAtExpert = next(expert.socket, CONSULT_EVENTS.ENDED);
      assert.deepEqual(await request(host.socket, CONSULT_EVENTS.END, { consultationId: id }), { ok: true });
      const { endedAt } = await endedAtExpert;
      const row = await server.node.db.consultation.findUniqueOrThrow({ where: { id } });
      assert.equal(row.endedAt?.toISOString(), endedAt);

      assert.equal(((await upsert(expert.socket, id, lengthAnnotation('a-after-end', 1))) as { error?: string }).error, 'NOT_FOUND', 'out of the room');
      assert.deepEqual(await join(expert.socket, id), { ok: false, error: 'ENDED' });
      assert.deepEqual(await join(await open('outsider@valley.example'), id), { ok: false, error: 'NOT_FOUND' }, 'an outsider learns nothing, not even that it ended');

      const audit = (await server.node.db.auditEvent.findMany({ where: { resource: `consultations/${id}` }, select: { action: true, actor: true } })).map((e) => `${e.action}:${e.actor}`);
      assert.ok(audit.includes(`consult.end:${TEST_ADMIN_EMAIL}`));
      assert.ok(audit.includes('consult.leave:expert@valley.example'), "the end is everyone's leave");
    });

    it('answers malformed payloads BAD_REQUEST (or drops them) and keeps serving the socket', async () => {
      const id = await newSession();
      const host = await joined(TEST_ADMIN_EMAIL, id);
      assert.deepEqual(await request(host.socket, CONSULT_EVENTS.JOIN, null), { ok: false, error: 'BAD_REQUEST' });
      assert.deepEqual(await request(host.socket, CONSULT_EVENTS.JOIN, { consultationId: 'x'.repeat(65) }), { ok: false, error: 'BAD_REQUEST' });
      assert.equal((await request<ConsultAck>(host.socket, CONSULT_EVENTS.PRESENTER_HANDOVER, { consultationId: id, toUserId: 42 })).ok, false);
      assert.equal((await request<ConsultAck>(host.socket, CONSULT_EVENTS.ANNOTATION_REMOVE, { consultationId: id, uid: { $ne: '' } })).ok, false);
      for (const payload of [undefined, 'x', [], { consultationId: id }, { consultationId: id, to: 'everyone', message: null }]) {
        host.socket.emit(CONSULT_EVENTS.SIGNAL, payload);
        host.socket.emit(CONSULT_EVENTS.RELAY, payload);
        host.socket.emit(CONSULT_EVENTS.MEDIA_STATE, payload);
      }
      for (const payload of [undefined, 'x', { consultationId: 42 }]) host.socket.emit(CONSULT_EVENTS.LEAVE, payload);
      host.socket.emit(CONSULT_EVENTS.END, { consultationId: id }, 'not a function');
      await settle(host.socket);
      assert.equal(host.socket.connected, true);
      assert.equal((await join(host.socket, id)).ok, false, 'the END above (with a bogus ack) still ended it');
    });
  });
});
