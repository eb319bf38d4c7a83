import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';
import {
  archiveAccessFor,
  authorizeFacilityAdministration,
  authorizeStudyAccess,
  canAdministerFacility,
  isPolicyError,
  readScopeFor,
  storeFacilityFor,
  withoutStudyGrants,
} from './index';
import { endConsultation } from '../consult/end-consultation';
import { createConsultation, createFacility, createStudy, createUser } from './test-fixtures';
import { permitSharing } from '../../test/support/consent';

describe('policy', () => {
  let testDb: TestDatabase;
  before(async () => {
    testDb = await createTestDatabase();
  });
  after(async () => {
    await testDb.cleanup();
  });

  describe('readScopeFor', () => {
    it('covers every facility the user is a member of, once', async () => {
      const { db } = testDb;
      const north = await createFacility(db, 'North');
      const south = await createFacility(db, 'South');
      await createFacility(db, 'Elsewhere');
      const user = await createUser(db, {
        memberships: [
          { facilityId: north.id, role: 'REFERRING' },
          { facilityId: north.id, role: 'ADMIN' },
          { facilityId: south.id, role: 'EXPERT' },
        ],
      });
      const scope = await readScopeFor(db, user.id);
      assert.equal(scope.kind, 'facilities');
      assert.deepEqual(scope.kind === 'facilities' ? [...scope.facilityIds].sort() : [], [north.id, south.id].sort());
    });

    it('is empty for a user without memberships, a disabled user and an unknown id', async () => {
      const { db } = testDb;
      const facility = await createFacility(db);
      const loner = await createUser(db);
      const disabled = await createUser(db, { disabled: true, memberships: [{ facilityId: facility.id, role: 'ADMIN' }] });
      for (const userId of [loner.id, disabled.id, 'no-such-user']) {
        assert.deepEqual(await readScopeFor(db, userId), { kind: 'facilities', facilityIds: [] });
      }
    });
  });

  describe('storeFacilityFor', () => {
    it('is the first facility where the user holds a role that may store', async () => {
      const { db } = testDb;
      const first = await createFacility(db, 'First');
      const second = await createFacility(db, 'Second');
      const user = await createUser(db, {
        memberships: [
          { facilityId: first.id, role: 'EMERGENCY' },
          { facilityId: second.id, role: 'EXPERT' },
        ],
      });
      assert.equal(await storeFacilityFor({ db }, user.id), first.id);
    });

    it('is null without membership, so the archive refuses the store', async () => {
      const user = await createUser(testDb.db);
      assert.equal(await storeFacilityFor(testDb, user.id), null);
    });
  });

  describe('facility administration', () => {
    it('allows an ADMIN, forbids a plain member, and hides the facility from outsiders', async () => {
      const { db } = testDb;
      const facility = await createFacility(db);
      const admin = await createUser(db, { memberships: [{ facilityId: facility.id, role: 'ADMIN' }] });
      const member = await createUser(db, { memberships: [{ facilityId: facility.id, role: 'REFERRING' }] });
      const outsider = await createUser(db);

      assert.equal(await canAdministerFacility(db, admin.id, facility.id), true);
      assert.equal(await canAdministerFacility(db, member.id, facility.id), false);
      await authorizeFacilityAdministration(db, admin.id, facility.id);
      await assert.rejects(authorizeFacilityAdministration(db, member.id, facility.id), (error) => isPolicyError(error) && error.code === 'FORBIDDEN');
      await assert.rejects(authorizeFacilityAdministration(db, outsider.id, facility.id), (error) => isPolicyError(error) && error.code === 'NOT_FOUND');
    });
  });

  describe('authorizeStudyAccess', () => {
    it('returns a study of a facility in scope, with its patient for the audit', async () => {
      const { db } = testDb;
      const facility = await createFacility(db);
      const study = await createStudy(db, facility.id);
      const authorized = await authorizeStudyAccess(db, { kind: 'facilities', facilityIds: [facility.id] }, study.studyInstanceUid);
      assert.equal(authorized.id, study.id);
      assert.equal(authorized.facilityId, facility.id);
      assert.ok(authorized.patientId.startsWith('PID'));
    });

    it('answers an outsider exactly as if the study did not exist', async () => {
      const { db } = testDb;
      const owner = await createFacility(db, 'Owner');
      const other = await createFacility(db, 'Other');
      const study = await createStudy(db, owner.id);
      const outsiderScope = { kind: 'facilities', facilityIds: [other.id] } as const;
      const outsiderError = await authorizeStudyAccess(db, outsiderScope, study.studyInstanceUid).catch((error: unknown) => error);
      const missingError = await authorizeStudyAccess(db, outsiderScope, '1.2.3.999').catch((error: unknown) => error);
      assert.ok(isPolicyError(outsiderError) && isPolicyError(missingError));
      assert.equal(outsiderError.code, 'NOT_FOUND');
      assert.equal(outsiderError.message, missingError.message);
      assert.equal(missingError.code, 'NOT_FOUND');
    });

    it('lets an "all" scope read any study', async () => {
      const { db } = testDb;
      const facility = await createFacility(db);
      const study = await createStudy(db, facility.id);
      assert.equal((await authorizeStudyAccess(db, { kind: 'all' }, study.studyInstanceUid)).id, study.id);
    });
  });
});

describe('teleconsultation grants', () => {
  let testDb: TestDatabase;
  before(async () => {
    testDb = await createTestDatabase();
  });
  after(async () => {
    await testDb.cleanup();
  });

  it('lets every participant of an open consultation read its study, and only that study, until it ends', async () => {
    const { db } = testDb;
    const north = await createFacility(db, 'North');
    const valley = await createFacility(db, 'Valley');
    const host = await createUser(db, { memberships: [{ facilityId: north.id, role: 'REFERRING' }] });
    const expert = await createUser(db, { memberships: [{ facilityId: valley.id, role: 'EXPERT' }] });
    const guest = await createUser(db);
    await db.user.update({ where: { id: guest.id }, data: { guest: true } });
    const disabledInvitee = await createUser(db, { disabled: true, memberships: [{ facilityId: valley.id, role: 'EXPERT' }] });
    const study = await createStudy(db, north.id);
    const sameFacilityOther = await createStudy(db, north.id);
    // The patient agreed to show their images to the colleagues and the guest named
    for (const invitee of [expert, guest, disabledInvitee]) await permitSharing(db, study.patientRef, { recipient: { userId: invitee.id }, purposes: ['TELECONSULTATION'] });
    const consultation = await createConsultation(db, {
      facilityId: north.id,
      studyInstanceUid: study.studyInstanceUid,
      participants: [
        { userId: host.id, role: 'HOST' },
        { userId: expert.id, role: 'PARTICIPANT' },
        { userId: guest.id, role: 'GUEST' },
        { userId: disabledInvitee.id, role: 'PARTICIPANT' },
      ],
    });

    const expertAccess = await archiveAccessFor(db, expert.id);
    assert.deepEqual(expertAccess.readScope, { kind: 'facilities', facilityIds: [valley.id], grantee: { userId: expert.id, serviceIds: [] } });
    assert.equal(expertAccess.storeFacilityId, valley.id, 'a grant never changes where the expert stores');
    assert.equal((await authorizeStudyAccess(db, expertAccess.readScope, study.studyInstanceUid)).id, study.id);
    await assert.rejects(authorizeStudyAccess(db, expertAccess.readScope, sameFacilityOther.studyInstanceUid), (error) => isPolicyError(error) && error.code === 'NOT_FOUND');

    const guestAccess = await archiveAccessFor(db, guest.id);
    assert.deepEqual(guestAccess, { readScope: { kind: 'facilities', facilityIds: [], grantee: { userId: guest.id, serviceIds: [] } }, storeFacilityId: null, overrideReads: [] });
    assert.equal((await authorizeStudyAccess(db, guestAccess.readScope, study.studyInstanceUid)).id, study.id);
    await assert.rejects(authorizeStudyAccess(db, guestAccess.readScope, sameFacilityOther.studyInstanceUid), (error) => isPolicyError(error) && error.code === 'NOT_FOUND');
    assert.deepEqual(await readScopeFor(db, disabledInvitee.id), { kind: 'facilities', facilityIds: [] });
    // The host reads it through their facility anyway; the grant changes nothing there.
    assert.ok((await readScopeFor(db, host.id)).kind === 'facilities');

    await endConsultation(db, { userId: host.id, email: host.email, ip: '127.0.0.1' }, consultation.id);
    assert.deepEqual(await readScopeFor(db, expert.id), { kind: 'facilities', facilityIds: [valley.id] });
    assert.deepEqual(await readScopeFor(db, guest.id), { kind: 'facilities', facilityIds: [] });
  });

  it('takes the grants away where a grant must not count (starting a consultation)', () => {
    const granted = { kind: 'facilities', facilityIds: ['f1'], grantee: { userId: 'u1', serviceIds: ['s1'] } } as const;
    assert.deepEqual(withoutStudyGrants(granted), { kind: 'facilities', facilityIds: ['f1'] });
    assert.deepEqual(withoutStudyGrants({ kind: 'all' }), { kind: 'all' });
  });
});

describe('archiveAccessFor', () => {
  it('agrees with readScopeFor and storeFacilityFor, in one query', async () => {
    const testDb = await createTestDatabase();
    try {
      const a = await createFacility(testDb.db, 'A');
      const b = await createFacility(testDb.db, 'B');
      const users = [
        await createUser(testDb.db, { memberships: [{ facilityId: a.id, role: 'EXPERT' }, { facilityId: b.id, role: 'ADMIN' }] }),
        await createUser(testDb.db, { memberships: [] }),
        await createUser(testDb.db, { disabled: true, memberships: [{ facilityId: a.id, role: 'REFERRING' }] }),
      ];
      for (const user of users) {
        const access = await archiveAccessFor(testDb.db, user.id);
        assert.deepEqual(access.readScope, await readScopeFor(testDb.db, user.id));
        assert.equal(access.storeFacilityId, await storeFacilityFor(testDb, user.id));
      }
      assert.deepEqual((await archiveAccessFor(testDb.db, users[0].id)).readScope, { kind: 'facilities', facilityIds: [a.id, b.id] });
      assert.deepEqual((await archiveAccessFor(testDb.db, users[2].id)).readScope, { kind: 'facilities', facilityIds: [] });
    } finally {
      await testDb.cleanup();
    }
  });
});
