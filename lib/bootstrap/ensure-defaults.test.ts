import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../pacs-core/logger';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';
import { verifyPassword } from '../auth/password';
import { loadConfig } from '../config/config';
import { ensureDefaults } from './ensure-defaults';

describe('ensureDefaults', () => {
  let testDb: TestDatabase;
  before(async () => {
    testDb = await createTestDatabase();
  });
  after(async () => {
    await testDb.cleanup();
  });

  it('creates the demo facility and an administrator with a generated password on the first run', async () => {
    const config = loadConfig({ DATA_DIR: testDb.dataDir });
    const result = await ensureDefaults(testDb.db, config, silentLogger);
    assert.equal(result.adminEmail, 'admin@telepacs.local');
    assert.ok(result.generatedPassword && result.generatedPassword.length >= 20);
    const facility = await testDb.db.facility.findUniqueOrThrow({ where: { id: result.facilityId } });
    assert.deepEqual([facility.name, facility.code], ['Demo Hospital', 'DEMO']);
    const admin = await testDb.db.user.findUniqueOrThrow({ where: { email: 'admin@telepacs.local' }, include: { memberships: true } });
    assert.ok(await verifyPassword(admin.passwordHash, result.generatedPassword));
    assert.equal(admin.nodeAdmin, true, 'the first administrator of a node is its node administrator');
    assert.deepEqual(
      admin.memberships.map((membership) => [membership.facilityId, membership.role]),
      [[result.facilityId, 'ADMIN']],
    );
  });

  it('changes nothing on later runs, even when ADMIN_PASSWORD is now set', async () => {
    const before = await testDb.db.user.findUniqueOrThrow({ where: { email: 'admin@telepacs.local' } });
    const config = loadConfig({ DATA_DIR: testDb.dataDir, ADMIN_PASSWORD: 'a-new-password' });
    const result = await ensureDefaults(testDb.db, config, silentLogger);
    assert.equal(result.generatedPassword, undefined);
    const after = await testDb.db.user.findUniqueOrThrow({ where: { email: 'admin@telepacs.local' } });
    assert.equal(after.passwordHash, before.passwordHash);
    assert.equal(await testDb.db.facility.count(), 1);
    assert.equal(await testDb.db.membership.count(), 1);
  });

  it('makes the ADMIN_EMAIL account node administrator on a node that has none (an upgraded node)', async () => {
    await testDb.db.user.updateMany({ data: { nodeAdmin: false } });
    await ensureDefaults(testDb.db, loadConfig({ DATA_DIR: testDb.dataDir }), silentLogger);
    const admins = await testDb.db.user.findMany({ where: { nodeAdmin: true }, select: { email: true } });
    assert.deepEqual(admins, [{ email: 'admin@telepacs.local' }]);
  });

  it('creates a new ADMIN_EMAIL with the given password (the lost-password recovery path)', async () => {
    const config = loadConfig({ DATA_DIR: testDb.dataDir, ADMIN_EMAIL: 'It@Hospital.example', ADMIN_PASSWORD: 'from-the-env' });
    const result = await ensureDefaults(testDb.db, config, silentLogger);
    assert.equal(result.adminEmail, 'it@hospital.example');
    assert.equal(result.generatedPassword, undefined);
    const admin = await testDb.db.user.findUniqueOrThrow({ where: { email: 'it@hospital.example' } });
    assert.ok(await verifyPassword(admin.passwordHash, 'from-the-env'));
    assert.equal(await testDb.db.facility.count(), 1);
  });
});
