// The /realtime socket.io namespace: only signed-in users connect, and news of
// new images reaches the users of the study's facility — nobody else.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { io as connect, type Socket } from 'socket.io-client';
import { SESSION_COOKIE_NAME, createSession } from '../../lib/auth';
import { createFacility, createUser } from '../../lib/policy/test-fixtures';
import { REALTIME_EVENTS, REALTIME_NAMESPACE } from '../../lib/realtime/events';
import { makeStudy } from '../support/fixtures';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from '../support/test-server';

describe('realtime notifications', () => {
  let server: TestServer;
  const sockets: Socket[] = [];

  async function sessionCookieFor(email: string): Promise<string> {
    const user = await server.node.db.user.findUniqueOrThrow({ where: { email } });
    const { token } = await createSession(server.node.db, { userId: user.id, ttlHours: 1 });
    return `${SESSION_COOKIE_NAME}=${token}`;
  }

  function open(cookie?: string): Socket {
    const socket = connect(`${server.url}${REALTIME_NAMESPACE}`, {
      transports: ['websocket'],
      reconnection: false,
      extraHeaders: cookie ? { cookie } : {},
    });
    sockets.push(socket);
    return socket;
  }

  before(async () => {
    server = await startTestServer();
    const clinic = await createFacility(server.node.db, 'Valley Clinic');
    await createUser(server.node.db, { email: 'other@valley.example', memberships: [{ facilityId: clinic.id, role: 'EXPERT' }] });
  });
  after(async () => {
    for (const socket of sockets) socket.close();
    await server?.stop();
  });

  it('refuses a connection without a session', async () => {
    const socket = open();
    const error = await new Promise<Error>((resolve) => socket.on('connect_error', resolve));
    assert.match(error.message, /not signed in/);
  });

  it('announces new images, batched per study, only to the facility that owns them', async () => {
    // Both sessions first: a socket opened before an await may connect before
    // its 'connect' listener exists (it did on PostgreSQL under CI load).
    const [memberCookie, outsiderCookie] = [await sessionCookieFor(TEST_ADMIN_EMAIL), await sessionCookieFor('other@valley.example')];
    const member = open(memberCookie);
    const outsider = open(outsiderCookie);
    await Promise.all(
      [member, outsider].map((s) => new Promise((resolve, reject) => {
        s.once('connect', () => resolve(undefined));
        s.once('connect_error', reject);
      })),
    );
    const outsiderEvents: unknown[] = [];
    outsider.on(REALTIME_EVENTS.INSTANCES_STORED, (payload) => outsiderEvents.push(payload));
    const received = new Promise<{ studyInstanceUid: string; newInstances: number }>((resolve) =>
      member.on(REALTIME_EVENTS.INSTANCES_STORED, resolve),
    );

    const study = makeStudy({ patientId: 'RT-1', series: 1, instancesPerSeries: 3, seed: 'realtime' });
    const facilityId = (await server.node.db.membership.findFirstOrThrow({ where: { user: { email: TEST_ADMIN_EMAIL } } })).facilityId;
    for (const file of study) await server.node.archive.ingest(file, { kind: 'stow', principalLabel: 'test' }, facilityId);

    const payload = await received;
    assert.equal(payload.studyInstanceUid, study.studyInstanceUid);
    assert.equal(payload.newInstances, 3);
    await new Promise((resolve) => setTimeout(resolve, 700));
    assert.deepEqual(outsiderEvents, []);
  });
});
