// A person let go (a guest whose link is withdrawn, an account disabled) loses
// their open sockets at once, in every namespace, and nobody else does.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Socket } from 'socket.io-client';
import { createSession } from '../../lib/auth';
import { createUser } from '../../lib/policy/test-fixtures';
import { CONSULT_NAMESPACE, REALTIME_NAMESPACE } from '../../lib/realtime/events';
import { disconnectUser } from '../../lib/realtime/disconnect-user';
import { connectWithSession } from '../support/session-socket';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from '../support/test-server';

describe('disconnectUser', () => {
  let server: TestServer;
  const sockets: Socket[] = [];

  async function open(namespace: string, userId: string): Promise<Socket> {
    const { token } = await createSession(server.node.db, { userId, ttlHours: 1 });
    const socket = await connectWithSession(server.url, namespace, token);
    sockets.push(socket);
    return socket;
  }

  const disconnected = (socket: Socket) => new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    for (const socket of sockets) socket.close();
    await server?.stop();
  });

  it("closes the user's /consult and /realtime sockets, from the server, and leaves others connected", async () => {
    const db = server.node.db;
    const leaving = await createUser(db, { email: 'leaving@hospital.example' });
    const staying = (await db.user.findUniqueOrThrow({ where: { email: TEST_ADMIN_EMAIL } })).id;
    const consult = await open(CONSULT_NAMESPACE, leaving.id);
    const realtime = await open(REALTIME_NAMESPACE, leaving.id);
    const other = await open(CONSULT_NAMESPACE, staying);
    const reasons = Promise.all([disconnected(consult), disconnected(realtime)]);
    assert.equal(await disconnectUser(server.node.runtime.io, leaving.id), 2);
    // 'io server disconnect': socket.io clients do not reconnect by themselves after it
    assert.deepEqual(await reasons, ['io server disconnect', 'io server disconnect']);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(other.connected, true);
  });
});
