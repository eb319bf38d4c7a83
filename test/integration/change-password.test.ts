// A signed-in person changes their own password (/account/password →
// lib/auth/change-own-password.ts): the current one is checked, the new one
// must be strong and typed twice, the change is audited, and every other
// session of the account — and its open sockets — ends while this one stays.
// Real server, real socket.io clients, on SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Socket } from 'socket.io-client';
import { createSession, hashPassword, resolveSession, signIn } from '../../lib/auth';
import { changeOwnPassword } from '../../lib/auth/change-own-password';
import { isAdminError } from '../../lib/admin/errors';
import { createUser } from '../../lib/policy/test-fixtures';
import { REALTIME_NAMESPACE } from '../../lib/realtime/events';
import { connectWithSession } from '../support/session-socket';
import { startTestServer, type TestServer } from '../support/test-server';

const OLD_PASSWORD = 'walnut orbit lantern cedar';
const NEW_PASSWORD = 'quiet harbour violin 7 maple';

describe('changing one’s own password', () => {
  let server: TestServer;
  let userId: string;
  const sockets: Socket[] = [];

  async function session(): Promise<{ id: string; token: string }> {
    const { token } = await createSession(server.node.db, { userId, ttlHours: 1 });
    const resolved = await resolveSession(server.node.db, token, { ttlHours: 1 });
    return { id: resolved!.sessionId, token };
  }

  async function socketOf(token: string): Promise<Socket> {
    const socket = await connectWithSession(server.url, REALTIME_NAMESPACE, token);
    sockets.push(socket);
    return socket;
  }

  const refusal = (field: string, pattern: RegExp) => (error: unknown) => {
    assert.ok(isAdminError(error), String(error));
    assert.match(error.fields[field] ?? '', pattern, JSON.stringify(error.fields));
    return true;
  };

  before(async () => {
    server = await startTestServer();
    const user = await createUser(server.node.db, { email: 'ines.moreau@hospital.example', passwordHash: await hashPassword(OLD_PASSWORD) });
    await server.node.db.user.update({ where: { id: user.id }, data: { name: 'Inès Moreau' } });
    userId = user.id;
  });
  after(async () => {
    for (const socket of sockets) socket.close();
    await server?.stop();
  });

  it('refuses a wrong current password, a weak or personal new one, and two different new ones, changing nothing', async () => {
    const runtime = server.node.runtime;
    const here = await session();
    const actor = { userId, sessionId: here.id, ip: '127.0.0.1' };
    await assert.rejects(
      changeOwnPassword(runtime, actor, { currentPassword: 'not it at all', newPassword: NEW_PASSWORD, confirmation: NEW_PASSWORD }),
      refusal('currentPassword', /not your current password/),
    );
    await assert.rejects(
      changeOwnPassword(runtime, actor, { currentPassword: OLD_PASSWORD, newPassword: 'Password123!', confirmation: 'Password123!' }),
      refusal('newPassword', /./),
    );
    await assert.rejects(
      changeOwnPassword(runtime, actor, { currentPassword: OLD_PASSWORD, newPassword: 'ines moreau 2026', confirmation: 'ines moreau 2026' }),
      refusal('newPassword', /./),
      'her own name is among the first guesses',
    );
    await assert.rejects(
      changeOwnPassword(runtime, actor, { currentPassword: OLD_PASSWORD, newPassword: NEW_PASSWORD, confirmation: `${NEW_PASSWORD}.` }),
      refusal('confirmation', /not the same/),
    );
    await assert.rejects(changeOwnPassword(runtime, actor, { currentPassword: OLD_PASSWORD, newPassword: 'short', confirmation: 'short' }), refusal('newPassword', /at least 10/));
    await assert.rejects(
      changeOwnPassword(runtime, actor, { currentPassword: OLD_PASSWORD, newPassword: OLD_PASSWORD, confirmation: OLD_PASSWORD }),
      refusal('newPassword', /current password/),
    );
    const signedIn = await signIn(runtime, { email: 'ines.moreau@hospital.example', password: OLD_PASSWORD, ip: '127.0.0.2' });
    assert.equal(signedIn.ok, true, 'the old password still works');
    const refused = await server.node.db.auditEvent.findFirst({ where: { action: 'auth.password.change', outcome: 'FAILURE' } });
    assert.ok(refused, 'the wrong current password is recorded as a refused attempt');
  });

  it('changes it, signs out every other session and closes their sockets, keeps this one, and audits the change', async () => {
    const runtime = server.node.runtime;
    const db = server.node.db;
    const here = await session();
    const elsewhere = await session();
    const hereSocket = await socketOf(here.token);
    const elsewhereSocket = await socketOf(elsewhere.token);
    const closed = new Promise<string>((resolve) => elsewhereSocket.once('disconnect', (reason) => resolve(reason)));

    const result = await changeOwnPassword(runtime, { userId, sessionId: here.id, ip: '127.0.0.1' }, { currentPassword: OLD_PASSWORD, newPassword: NEW_PASSWORD, confirmation: NEW_PASSWORD });

    assert.ok(result.sessionsEnded >= 2, `the other sessions ended (${result.sessionsEnded})`);
    assert.equal(await closed, 'io server disconnect');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(hereSocket.connected, true, 'this browser keeps its socket');
    assert.ok(await resolveSession(db, here.token, { ttlHours: 1 }), 'this browser stays signed in');
    assert.equal(await resolveSession(db, elsewhere.token, { ttlHours: 1 }), null, 'the other browser is signed out');
    assert.equal((await signIn(runtime, { email: 'ines.moreau@hospital.example', password: OLD_PASSWORD, ip: '127.0.0.3' })).ok, false);
    assert.equal((await signIn(runtime, { email: 'ines.moreau@hospital.example', password: NEW_PASSWORD, ip: '127.0.0.3' })).ok, true);
    const audit = await db.auditEvent.findFirst({ where: { action: 'auth.password.change', outcome: 'SUCCESS', actorUserId: userId } });
    assert.ok(audit, 'the change is audited');
    assert.equal(JSON.parse(audit.details ?? '{}').sessionsEnded, result.sessionsEnded);
  });
});
