// Issue 12 §5: a socket lives no longer than its session — signing out and a
// session running out close that session's /consult and /realtime sockets
// at once (and only that session's) — and the socket.io handshake refuses a
// page of another origin, like the HTTP routes do. Real socket.io clients.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { io as connect, type Socket } from 'socket.io-client';
import { PUT as secondFactorPolicyRoute } from '../../app/api/admin/facilities/[facilityId]/second-factor-policy/route';
import { DELETE as resetSecondFactorRoute } from '../../app/api/admin/facilities/[facilityId]/members/[userId]/second-factor/route';
import { POST as signOutRoute } from '../../app/api/auth/sign-out/route';
import { SESSION_COOKIE_NAME, createSession } from '../../lib/auth';
import type { CollabAnnotationInput } from '../../lib/collab/protocol';
import { startConsultation } from '../../lib/consult/consultations';
import { createUser } from '../../lib/policy/test-fixtures';
import { CONSULT_EVENTS, CONSULT_NAMESPACE, REALTIME_NAMESPACE, type ConsultAnnotationAck, type ConsultJoinAck } from '../../lib/realtime/events';
import { makeStudy } from '../support/fixtures';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from '../support/test-server';

describe('sessions and sockets', () => {
  let server: TestServer;
  let adminId: string;
  let colleagueId: string;
  let consultationId: string;
  const sockets: Socket[] = [];
  const study = makeStudy({ patientId: 'SOCK-1', series: 1, instancesPerSeries: 1, seed: 'session-sockets' });

  async function sessionCookie(userId: string, expiresAt?: Date): Promise<string> {
    const { token } = await createSession(server.node.db, expiresAt ? { userId, expiresAt } : { userId, ttlHours: 1 });
    return `${SESSION_COOKIE_NAME}=${token}`;
  }

  function open(namespace: string, headers: Record<string, string>, transports: ('websocket' | 'polling')[] = ['websocket']): Socket {
    const socket = connect(`${server.url}${namespace}`, { transports, reconnection: false, extraHeaders: headers });
    sockets.push(socket);
    return socket;
  }
  /** 'connected', or the handshake's error message */
  function handshake(socket: Socket): Promise<string> {
    return new Promise((resolve) => {
      socket.once('connect', () => resolve('connected'));
      socket.once('connect_error', (error) => resolve(`refused: ${error.message}`));
    });
  }
  async function connected(namespace: string, cookie: string): Promise<Socket> {
    const socket = open(namespace, { cookie });
    assert.equal(await handshake(socket), 'connected');
    return socket;
  }
  const disconnected = (socket: Socket) => new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
  const join = (socket: Socket) => new Promise<ConsultJoinAck>((resolve) => socket.emit(CONSULT_EVENTS.JOIN, { consultationId }, resolve));

  function annotation(): CollabAnnotationInput {
    return {
      uid: randomUUID(),
      tool: 'Length',
      version: 1,
      ref: { studyInstanceUid: study.studyInstanceUid, seriesInstanceUid: study.seriesInstanceUids[0], sopInstanceUid: study.sopInstanceUids[0][0], frameNumber: 1, frameOfReferenceUid: '' },
      points: [
        [0, 0, 0],
        [10, 0, 0],
      ],
      imagePoints: [
        [0, 0],
        [20, 0],
      ],
      viewPlaneNormal: [0, 0, 1],
      viewUp: [0, -1, 0],
      stats: { length: 10 },
    };
  }

  before(async () => {
    server = await startTestServer();
    const db = server.node.db;
    adminId = (await db.user.findUniqueOrThrow({ where: { email: TEST_ADMIN_EMAIL } })).id;
    const facilityId = server.node.firstRun.facilityId;
    for (const file of study) await server.node.archive.ingest(file, { kind: 'import', source: 'session-sockets-test' }, facilityId);
    const colleague = await createUser(db, { email: 'colleague@home.example', memberships: [{ facilityId, role: 'REFERRING' }] });
    colleagueId = colleague.id;
    consultationId = (await startConsultation({ db }, { userId: adminId, email: TEST_ADMIN_EMAIL, ip: '127.0.0.1' }, { studyInstanceUid: study.studyInstanceUid, invitees: [colleague.email] })).id;
  });
  after(async () => {
    for (const socket of sockets) socket.close();
    await server?.stop();
  });

  it("closes the signed-out session's /consult and /realtime sockets at once; they get no more annotations, the user's other browser does", { timeout: 20_000 }, async () => {
    const leavingCookie = await sessionCookie(colleagueId);
    const leavingConsult = await connected(CONSULT_NAMESPACE, leavingCookie);
    const leavingRealtime = await connected(REALTIME_NAMESPACE, leavingCookie);
    const otherBrowser = await connected(CONSULT_NAMESPACE, await sessionCookie(colleagueId));
    const host = await connected(CONSULT_NAMESPACE, await sessionCookie(adminId));
    for (const socket of [leavingConsult, otherBrowser, host]) assert.equal((await join(socket)).ok, true);
    const receivedAfterSignOut: unknown[] = [];
    leavingConsult.on(CONSULT_EVENTS.ANNOTATION_CHANGED, (payload) => receivedAfterSignOut.push(payload));

    const closed = Promise.all([disconnected(leavingConsult), disconnected(leavingRealtime)]);
    const url = new URL('/api/auth/sign-out', server.url);
    const signedOut = await signOutRoute(new Request(url, { method: 'POST', headers: { host: url.host, origin: url.origin, cookie: leavingCookie } }));
    assert.equal(signedOut.status, 200);
    // By the time sign-out answers, the server has closed them ('io server disconnect': no reconnect by themselves)
    assert.deepEqual(await closed, ['io server disconnect', 'io server disconnect']);

    // The host draws; the colleague's other browser gets it, the signed-out one cannot
    const reachedOther = new Promise((resolve) => otherBrowser.once(CONSULT_EVENTS.ANNOTATION_CHANGED, resolve));
    const ack = await new Promise<ConsultAnnotationAck>((resolve) => host.emit(CONSULT_EVENTS.ANNOTATION_UPSERT, { consultationId, annotation: annotation() }, resolve));
    assert.equal(ack.ok, true);
    await reachedOther;
    assert.equal(leavingConsult.connected, false);
    assert.deepEqual(receivedAfterSignOut, []);
    assert.equal(otherBrowser.connected, true);
  });

  it('closes a socket when its session expires, without anyone signing out', { timeout: 20_000 }, async () => {
    const expiring = await sessionCookie(colleagueId, new Date(Date.now() + 1500));
    const consult = await connected(CONSULT_NAMESPACE, expiring);
    const realtime = await connected(REALTIME_NAMESPACE, expiring);
    assert.equal((await join(consult)).ok, true);
    // Waits for the server to act (no fixed sleep): before the fix these never closed
    assert.deepEqual(await Promise.all([disconnected(consult), disconnected(realtime)]), ['io server disconnect', 'io server disconnect']);
    // And the expired session cannot open a new one
    assert.match(await handshake(open(CONSULT_NAMESPACE, { cookie: expiring })), /^refused: not signed in/);
  });

  it('refuses a socket.io handshake from a page of another origin, and accepts the same origin and non-browser clients', { timeout: 20_000 }, async () => {
    const cookie = await sessionCookie(colleagueId);
    const origin = new URL(server.url).origin;
    for (const transports of [['websocket'], ['polling']] as const) {
      for (const foreign of ['https://evil.example', 'null', `http://evil.example:${new URL(server.url).port}`]) {
        assert.match(await handshake(open(REALTIME_NAMESPACE, { cookie, origin: foreign }, [...transports])), /^refused/, `${foreign} over ${transports[0]}`);
        assert.match(await handshake(open(CONSULT_NAMESPACE, { cookie, origin: foreign }, [...transports])), /^refused/, `${foreign} over ${transports[0]}`);
      }
      assert.equal(await handshake(open(CONSULT_NAMESPACE, { cookie, origin }, [...transports])), 'connected', `same origin over ${transports[0]}`);
      // A non-browser client sends no Origin; it still needs the session cookie
      assert.equal(await handshake(open(CONSULT_NAMESPACE, { cookie }, [...transports])), 'connected', `no Origin over ${transports[0]}`);
      assert.match(await handshake(open(CONSULT_NAMESPACE, {}, [...transports])), /^refused: not signed in/);
    }
  });

  /** A same-origin request of the admin's, as the admin page sends it */
  async function asAdmin(path: string, method: string, body?: unknown): Promise<Request> {
    const url = new URL(path, server.url);
    const headers: Record<string, string> = { host: url.host, origin: url.origin, cookie: await sessionCookie(adminId) };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return new Request(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  }

  it("closes a member's sockets when an administrator resets their second factor (their sessions end)", { timeout: 20_000 }, async () => {
    const facilityId = server.node.firstRun.facilityId;
    const consult = await connected(CONSULT_NAMESPACE, await sessionCookie(colleagueId));
    const realtime = await connected(REALTIME_NAMESPACE, await sessionCookie(colleagueId));
    const closed = Promise.all([disconnected(consult), disconnected(realtime)]);
    const path = `/api/admin/facilities/${facilityId}/members/${colleagueId}/second-factor`;
    const answer = await resetSecondFactorRoute(await asAdmin(path, 'DELETE'), { params: Promise.resolve({ facilityId, userId: colleagueId }) });
    assert.equal(answer.status, 200, await answer.clone().text());
    assert.deepEqual(await closed, ['io server disconnect', 'io server disconnect']);
  });

  it('closes the sockets of sessions put on hold when the facility starts requiring a second factor', { timeout: 20_000 }, async () => {
    const facilityId = server.node.firstRun.facilityId;
    const held = await connected(CONSULT_NAMESPACE, await sessionCookie(colleagueId));
    const closed = disconnected(held);
    const answer = await secondFactorPolicyRoute(await asAdmin(`/api/admin/facilities/${facilityId}/second-factor-policy`, 'PUT', { policy: 'EVERYONE' }), {
      params: Promise.resolve({ facilityId }),
    });
    assert.equal(answer.status, 200, await answer.clone().text());
    const body = (await answer.json()) as Record<string, unknown>;
    assert.equal(body.policy, 'EVERYONE');
    assert.ok(!('heldSessionIds' in body), 'session ids stay on the server');
    assert.equal(await closed, 'io server disconnect');
  });
});
