// Wherever a person chooses a password (invitation, reset link), a guessable
// one is refused with the estimator's words, and the link stays usable.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';
import { authContextFor } from '../auth/test-context';
import { isAdminError } from '../admin/errors';
import type { AdminActor } from '../admin/context';
import { createFacility, createUser } from '../policy/test-fixtures';
import { acceptInvitation, resetPasswordWithLink } from './accept-account-link';
import { createPasswordReset } from './create-password-reset';
import { inviteMember } from './invite-member';

const client = { ip: '10.1.2.3' };
const tokenOf = (path: string) => path.split('/').at(-1)!;

/** The password field's message of a refused choice. */
async function passwordRefusal(attempt: Promise<unknown>): Promise<string> {
  try {
    await attempt;
  } catch (error) {
    assert.ok(isAdminError(error) && error.code === 'INVALID_INPUT', String(error));
    assert.ok(error.fields.password, JSON.stringify(error.fields));
    return error.fields.password;
  }
  assert.fail('the password was accepted');
}

describe('choosing a password', () => {
  let testDb: TestDatabase;
  let context: ReturnType<typeof authContextFor>;
  let facilityId: string;
  let actor: AdminActor;

  before(async () => {
    testDb = await createTestDatabase();
    context = authContextFor(testDb);
  });
  after(async () => {
    await testDb.cleanup();
  });
  beforeEach(async () => {
    facilityId = (await createFacility(testDb.db, 'North')).id;
    const admin = await createUser(testDb.db, { memberships: [{ facilityId, role: 'ADMIN' }] });
    actor = { userId: admin.id, email: admin.email, ip: '10.0.0.1' };
  });

  it('an invitation refuses common passwords and the invitee’s own email, in words, then accepts a passphrase', async () => {
    const email = `ines.moreau.${Date.now()}@north.example`;
    const link = await inviteMember(context, actor, facilityId, { email, role: 'EXPERT' });
    const token = tokenOf(link.path);
    assert.match(await passwordRefusal(acceptInvitation(context, { token, name: 'Inès Moreau', password: 'Password123!' }, client)), /commonly used password/);
    assert.match(await passwordRefusal(acceptInvitation(context, { token, name: 'Inès Moreau', password: 'telepacs2026' }, client)), /personal or page related/);
    assert.match(await passwordRefusal(acceptInvitation(context, { token, name: 'Inès Moreau', password: email }, client)), /personal or page related/);
    assert.equal(await testDb.db.user.count({ where: { email } }), 0, 'no account was made');
    const accepted = await acceptInvitation(context, { token, name: 'Inès Moreau', password: 'orbit lantern pepper canyon' }, client);
    assert.equal(accepted.user.email, email);
  });

  it('a reset link refuses a guessable new password and keeps the old one', async () => {
    const member = await createUser(testDb.db, { email: `reset-${Date.now()}@north.example`, memberships: [{ facilityId, role: 'EXPERT' }] });
    const before = (await testDb.db.user.findUniqueOrThrow({ where: { id: member.id } })).passwordHash;
    const link = await createPasswordReset(context, actor, facilityId, member.id);
    assert.match(await passwordRefusal(resetPasswordWithLink(context, { token: tokenOf(link.path), password: 'Welcome1234' }, client)), /\w+/);
    assert.equal((await testDb.db.user.findUniqueOrThrow({ where: { id: member.id } })).passwordHash, before);
    const reset = await resetPasswordWithLink(context, { token: tokenOf(link.path), password: 'zebra-copper-violin-harbor' }, client);
    assert.equal(reset.user.id, member.id);
  });
});
