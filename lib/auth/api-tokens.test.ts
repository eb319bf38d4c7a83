import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';
import { createUser } from '../policy/test-fixtures';
import { createApiToken, revokeApiToken, verifyApiToken } from './api-tokens';
import { sha256Hex } from './secret-tokens';

describe('API tokens', () => {
  let testDb: TestDatabase;
  before(async () => {
    testDb = await createTestDatabase();
  });
  after(async () => {
    await testDb.cleanup();
  });

  it('creates tp_<prefix>_<secret> tokens, keeps only the hash, and verifies them', async () => {
    const user = await createUser(testDb.db);
    const created = await createApiToken(testDb.db, { userId: user.id, name: 'nightly-export' });
    assert.match(created.token, /^tp_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    const row = await testDb.db.apiToken.findUniqueOrThrow({ where: { id: created.id } });
    assert.equal(row.tokenHash, sha256Hex(created.token));
    const verified = await verifyApiToken(testDb.db, created.token);
    assert.deepEqual(verified, { tokenId: created.id, name: 'nightly-export', user: { id: user.id, email: user.email } });
    const used = await testDb.db.apiToken.findUniqueOrThrow({ where: { id: created.id } });
    assert.ok(used.lastUsedAt);
  });

  it('refuses a token with a right prefix but a wrong secret, and garbage', async () => {
    const user = await createUser(testDb.db);
    const created = await createApiToken(testDb.db, { userId: user.id, name: 'x' });
    const forged = `tp_${created.prefix}_${'A'.repeat(43)}`;
    assert.equal(await verifyApiToken(testDb.db, forged), null);
    assert.equal(await verifyApiToken(testDb.db, 'tp_nothex_abc'), null);
    assert.equal(await verifyApiToken(testDb.db, ''), null);
  });

  it('refuses revoked and expired tokens and tokens of disabled users', async () => {
    const user = await createUser(testDb.db);
    const revoked = await createApiToken(testDb.db, { userId: user.id, name: 'revoked' });
    const other = await createUser(testDb.db);
    assert.equal(await revokeApiToken(testDb.db, { userId: other.id, tokenId: revoked.id }), false, 'only the owner revokes');
    assert.equal(await revokeApiToken(testDb.db, { userId: user.id, tokenId: revoked.id }), true);
    assert.equal(await verifyApiToken(testDb.db, revoked.token), null);

    const expired = await createApiToken(testDb.db, { userId: user.id, name: 'expired', expiresAt: new Date(Date.now() - 1000) });
    assert.equal(await verifyApiToken(testDb.db, expired.token), null);

    const live = await createApiToken(testDb.db, { userId: user.id, name: 'live' });
    await testDb.db.user.update({ where: { id: user.id }, data: { disabled: true } });
    assert.equal(await verifyApiToken(testDb.db, live.token), null);
  });
});
