// API tokens expire: 90 days unless chosen, at most 365; old tokens without an
// expiry keep working and are flagged.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../pacs-core/logger';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';
import { isAdminError } from '../admin/errors';
import { createUser } from '../policy/test-fixtures';
import { describeApiTokenExpiry } from './api-token-lifetime';
import { createApiToken, verifyApiToken } from './api-tokens';
import { createOwnApiToken } from './manage-own-api-tokens';

const DAY = 24 * 3600_000;

describe('API token lifetime', () => {
  let testDb: TestDatabase;
  before(async () => {
    testDb = await createTestDatabase();
  });
  after(async () => {
    await testDb.cleanup();
  });

  it('gives a new token 90 days when no lifetime is chosen, and it stops working after them', async () => {
    const user = await createUser(testDb.db);
    const owner = { userId: user.id, email: user.email, ip: '10.0.0.1' };
    const now = new Date('2026-03-01T08:00:00Z');
    for (const input of [{ name: 'absent' }, { name: 'empty', expiresInDays: '' }, { name: 'null', expiresInDays: null }]) {
      const created = await createOwnApiToken({ db: testDb.db, logger: silentLogger }, owner, input, now);
      assert.equal(created.expiresAt?.toISOString(), new Date(now.getTime() + 90 * DAY).toISOString(), input.name);
      assert.ok(await verifyApiToken(testDb.db, created.token, new Date(now.getTime() + 89 * DAY)));
      assert.equal(await verifyApiToken(testDb.db, created.token, new Date(now.getTime() + 90 * DAY)), null, 'expired at its expiry');
    }
  });

  it('accepts a chosen lifetime up to 365 days and refuses longer, zero and "never" with a field message', async () => {
    const user = await createUser(testDb.db);
    const owner = { userId: user.id, email: user.email, ip: '10.0.0.1' };
    const now = new Date();
    const yearly = await createOwnApiToken({ db: testDb.db, logger: silentLogger }, owner, { name: 'yearly', expiresInDays: '365' }, now);
    assert.equal(yearly.expiresAt?.getTime(), now.getTime() + 365 * DAY);
    for (const expiresInDays of ['366', '0', 'never', '1.5']) {
      await assert.rejects(
        createOwnApiToken({ db: testDb.db, logger: silentLogger }, owner, { name: 'too long', expiresInDays }, now),
        (error: unknown) => isAdminError(error) && typeof error.fields.expiresInDays === 'string',
        expiresInDays,
      );
    }
    assert.equal(await testDb.db.apiToken.count({ where: { userId: user.id } }), 1);
  });

  it('keeps accepting a token made before tokens expired, and lists it as "never expires"', async () => {
    const user = await createUser(testDb.db);
    const legacy = await createApiToken(testDb.db, { userId: user.id, name: 'legacy', expiresAt: null });
    assert.ok(await verifyApiToken(testDb.db, legacy.token, new Date(Date.now() + 5 * 365 * DAY)));
    assert.deepEqual(describeApiTokenExpiry({ expiresAt: null }, Date.now()), { state: 'never-expires', text: 'never expires' });
  });

  it('says the expiry in whole days left, "expired" after it, and "revoked" first', () => {
    const made = Date.parse('2026-03-01T08:00:00Z');
    const expiresAt = new Date(made + 90 * DAY);
    assert.equal(describeApiTokenExpiry({ expiresAt }, made + 1000).text, 'expires in 89 days');
    assert.equal(describeApiTokenExpiry({ expiresAt }, made + 88.5 * DAY).text, 'expires in 1 day');
    assert.equal(describeApiTokenExpiry({ expiresAt }, made + 89.5 * DAY).text, 'expires in less than a day');
    assert.deepEqual(describeApiTokenExpiry({ expiresAt: expiresAt.toISOString() }, made + 90 * DAY), { state: 'expired', text: 'expired' });
    assert.equal(describeApiTokenExpiry({ expiresAt, revokedAt: new Date(made) }, made).state, 'revoked');
  });
});
