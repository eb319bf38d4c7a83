import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';
import { authorizeAdminArea, authorizeMemberAdministration, isPolicyError } from './index';
import { createFacility, createUser } from './test-fixtures';

const code = (expected: string) => (error: unknown) => isPolicyError(error) && error.code === expected;

describe('administration policy', () => {
  let testDb: TestDatabase;
  before(async () => {
    testDb = await createTestDatabase();
  });
  after(async () => {
    await testDb.cleanup();
  });

  it('lets only an enabled admin of the facility into its admin area; everyone else gets NOT_FOUND', async () => {
    const { db } = testDb;
    const a = await createFacility(db, 'A');
    const b = await createFacility(db, 'B');
    const adminA = await createUser(db, { memberships: [{ facilityId: a.id, role: 'ADMIN' }] });
    const adminB = await createUser(db, { memberships: [{ facilityId: b.id, role: 'ADMIN' }] });
    const memberA = await createUser(db, { memberships: [{ facilityId: a.id, role: 'EXPERT' }] });
    const disabledAdminA = await createUser(db, { disabled: true, memberships: [{ facilityId: a.id, role: 'ADMIN' }] });

    await authorizeAdminArea(db, adminA.id, a.id);
    for (const userId of [adminB.id, memberA.id, disabledAdminA.id, 'nobody']) {
      await assert.rejects(authorizeAdminArea(db, userId, a.id), code('NOT_FOUND'), userId);
    }
    await assert.rejects(authorizeAdminArea(db, adminA.id, 'no-such-facility'), code('NOT_FOUND'));
  });

  it('lets an admin act on members of their facility only, and on whole accounts only when they administer all of its facilities', async () => {
    const { db } = testDb;
    const a = await createFacility(db, 'A');
    const b = await createFacility(db, 'B');
    const admin = await createUser(db, { memberships: [{ facilityId: a.id, role: 'ADMIN' }] });
    const onlyA = await createUser(db, { memberships: [{ facilityId: a.id, role: 'REFERRING' }] });
    const onlyB = await createUser(db, { memberships: [{ facilityId: b.id, role: 'REFERRING' }] });
    const both = await createUser(db, { memberships: [{ facilityId: a.id, role: 'EXPERT' }, { facilityId: b.id, role: 'EXPERT' }] });
    const base = { adminUserId: admin.id, facilityId: a.id };

    await authorizeMemberAdministration(db, { ...base, targetUserId: onlyA.id, action: 'account' });
    await authorizeMemberAdministration(db, { ...base, targetUserId: both.id, action: 'membership' });
    await assert.rejects(authorizeMemberAdministration(db, { ...base, targetUserId: onlyB.id, action: 'membership' }), code('NOT_FOUND'));
    await assert.rejects(authorizeMemberAdministration(db, { ...base, targetUserId: both.id, action: 'account' }), code('FORBIDDEN'));

    // Administering B as well makes the account-wide change allowed.
    await db.membership.create({ data: { userId: admin.id, facilityId: b.id, role: 'ADMIN' } });
    await authorizeMemberAdministration(db, { ...base, targetUserId: both.id, action: 'account' });
  });
});
