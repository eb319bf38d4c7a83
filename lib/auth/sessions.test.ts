import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';
import { createUser } from '../policy/test-fixtures';
import { sha256Hex } from './secret-tokens';
import { ABSOLUTE_SESSION_LIFETIME_MS, createSession, deleteExpiredSessions, deleteSession, resolveSession } from './sessions';

describe('sessions', () => {
  let testDb: TestDatabase;
  before(async () => {
    testDb = await createTestDatabase();
  });
  after(async () => {
    await testDb.cleanup();
  });

  it('stores only the SHA-256 of the cookie token and resolves it to the user', async () => {
    const user = await createUser(testDb.db);
    const { token, sessionId } = await createSession(testDb.db, { userId: user.id, ttlHours: 12, ip: '10.0.0.1', userAgent: 'test' });
    const row = await testDb.db.session.findUniqueOrThrow({ where: { id: sessionId } });
    assert.equal(row.tokenHash, sha256Hex(token));
    assert.notEqual(row.tokenHash, token);
    const resolved = await resolveSession(testDb.db, token, { ttlHours: 12 });
    assert.equal(resolved?.user.id, user.id);
    assert.equal(resolved?.user.email, user.email);
  });

  it('rejects unknown, malformed and missing tokens', async () => {
    assert.equal(await resolveSession(testDb.db, 'A'.repeat(43), { ttlHours: 12 }), null);
    assert.equal(await resolveSession(testDb.db, "' OR 1=1 --", { ttlHours: 12 }), null);
    assert.equal(await resolveSession(testDb.db, undefined, { ttlHours: 12 }), null);
  });

  it('slides the expiry while used and ends an idle session', async () => {
    const user = await createUser(testDb.db);
    const start = new Date('2026-01-01T08:00:00Z');
    const { token, sessionId } = await createSession(testDb.db, { userId: user.id, ttlHours: 1, now: start });
    const later = new Date(start.getTime() + 50 * 60_000);
    assert.ok(await resolveSession(testDb.db, token, { ttlHours: 1, now: later }));
    const row = await testDb.db.session.findUniqueOrThrow({ where: { id: sessionId } });
    assert.equal(row.lastSeenAt.getTime(), later.getTime());
    assert.equal(row.expiresAt.getTime(), later.getTime() + 3600_000);
    // Idle past the (slid) expiry: gone, and the row is deleted.
    assert.equal(await resolveSession(testDb.db, token, { ttlHours: 1, now: new Date(later.getTime() + 61 * 60_000) }), null);
    assert.equal(await testDb.db.session.count({ where: { id: sessionId } }), 0);
  });

  it('ends even an active session after the absolute lifetime', async () => {
    const user = await createUser(testDb.db);
    const start = new Date('2026-02-01T08:00:00Z');
    const { token } = await createSession(testDb.db, { userId: user.id, ttlHours: 24 * 30, now: start });
    const pastLifetime = new Date(start.getTime() + ABSOLUTE_SESSION_LIFETIME_MS + 1000);
    assert.equal(await resolveSession(testDb.db, token, { ttlHours: 24 * 30, now: pastLifetime }), null);
  });

  it('signs out a disabled user at their next request', async () => {
    const user = await createUser(testDb.db);
    const { token } = await createSession(testDb.db, { userId: user.id, ttlHours: 12 });
    await testDb.db.user.update({ where: { id: user.id }, data: { disabled: true } });
    assert.equal(await resolveSession(testDb.db, token, { ttlHours: 12 }), null);
  });

  it('deletes a session on sign-out and expired ones in housekeeping', async () => {
    const user = await createUser(testDb.db);
    const { token } = await createSession(testDb.db, { userId: user.id, ttlHours: 12 });
    assert.equal(await deleteSession(testDb.db, token), true);
    assert.equal(await resolveSession(testDb.db, token, { ttlHours: 12 }), null);
    await createSession(testDb.db, { userId: user.id, ttlHours: 1, now: new Date('2020-01-01T00:00:00Z') });
    assert.ok((await deleteExpiredSessions(testDb.db)) >= 1);
  });
});
