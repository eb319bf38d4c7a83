// Invitations, password resets, roles and disabling, on a real database.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';
import { authContextFor } from '../auth/test-context';
import { createSession, resolveSession } from '../auth/sessions';
import { hashPassword } from '../auth/password';
import { verifyCredentials } from '../auth/verify-credentials';
import { isAdminError } from '../admin/errors';
import type { AdminActor } from '../admin/context';
import { isPolicyError } from '../policy';
import { createFacility, createUser } from '../policy/test-fixtures';
import { ACCOUNT_LINK_TTL_MS } from './account-links';
import { acceptInvitation, resetPasswordWithLink } from './accept-account-link';
import { changeMemberRole } from './change-member-role';
import { createPasswordReset } from './create-password-reset';
import { inviteMember } from './invite-member';
import { listFacilityMembers } from './list-facility-members';
import { revokeInvitation } from './revoke-invitation';
import { setMemberDisabled } from './set-member-disabled';

const client = { ip: '10.1.2.3' };
const tokenOf = (path: string) => path.split('/').at(-1)!;
const adminError = (code: string, field?: string) => (error: unknown) => isAdminError(error) && error.code === code && (!field || field in error.fields);

describe('facility members', () => {
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
    const facility = await createFacility(testDb.db, 'North');
    facilityId = facility.id;
    const admin = await createUser(testDb.db, { memberships: [{ facilityId, role: 'ADMIN' }] });
    actor = { userId: admin.id, email: admin.email, ip: '10.0.0.1' };
  });

  it('invites with a one-time link stored only as a hash; accepting creates the account, the role, and a session', async () => {
    const link = await inviteMember(context, actor, facilityId, { email: '  New.Doctor@North.example ', role: 'EXPERT' });
    assert.match(link.path, /^\/invite\/[A-Za-z0-9_-]{43}$/);
    const row = await testDb.db.accountLink.findFirstOrThrow({ where: { facilityId } });
    assert.equal(row.email, 'new.doctor@north.example');
    assert.notEqual(row.tokenHash, tokenOf(link.path));
    assert.ok(!JSON.stringify(row).includes(tokenOf(link.path)), 'the token itself is not stored');

    const accepted = await acceptInvitation(context, { token: tokenOf(link.path), name: 'Dr New', password: 'a long enough passphrase' }, client);
    assert.equal(accepted.user.email, 'new.doctor@north.example');
    assert.ok(await resolveSession(testDb.db, accepted.sessionToken, { ttlHours: 1 }));
    const memberships = await testDb.db.membership.findMany({ where: { userId: accepted.user.id } });
    assert.deepEqual(memberships.map((membership) => [membership.facilityId, membership.role]), [[facilityId, 'EXPERT']]);
    const check = await verifyCredentials(context, { email: 'new.doctor@north.example', password: 'a long enough passphrase', ip: '10.9.9.9', door: 'auth.sign_in' });
    assert.equal(check.ok, true);

    // Once only.
    await assert.rejects(acceptInvitation(context, { token: tokenOf(link.path), name: 'Again', password: 'a long enough passphrase' }, client), adminError('LINK_USED'));
    const audit = await testDb.db.auditEvent.findMany({ where: { facilityId, action: { in: ['admin.invite_member', 'account.accept_invitation'] } } });
    assert.equal(audit.length, 2);
  });

  it('refuses an expired invitation, a replaced one and an unknown token, saying which', async () => {
    const old = await inviteMember(context, actor, facilityId, { email: 'late@north.example', role: 'REFERRING' });
    const expiredAt = new Date(Date.now() + ACCOUNT_LINK_TTL_MS.INVITE + 1000);
    await assert.rejects(acceptInvitation(context, { token: tokenOf(old.path), name: 'Late', password: 'a long enough passphrase' }, client, expiredAt), adminError('LINK_EXPIRED'));
    const newer = await inviteMember(context, actor, facilityId, { email: 'late@north.example', role: 'REFERRING' });
    await assert.rejects(acceptInvitation(context, { token: tokenOf(old.path), name: 'Late', password: 'a long enough passphrase' }, client), adminError('LINK_USED'));
    await assert.rejects(acceptInvitation(context, { token: 'x'.repeat(43), name: 'Late', password: 'a long enough passphrase' }, client), adminError('LINK_INVALID'));
    await acceptInvitation(context, { token: tokenOf(newer.path), name: 'Late', password: 'a long enough passphrase' }, client);
  });

  it('withdraws a waiting invitation: its link stops working', async () => {
    const link = await inviteMember(context, actor, facilityId, { email: 'withdrawn@north.example', role: 'EXPERT' });
    const row = await testDb.db.accountLink.findFirstOrThrow({ where: { email: 'withdrawn@north.example' } });
    await revokeInvitation(context, actor, facilityId, row.id);
    await assert.rejects(acceptInvitation(context, { token: tokenOf(link.path), name: 'W', password: 'a long enough passphrase' }, client), adminError('LINK_USED'));
    await assert.rejects(revokeInvitation(context, actor, facilityId, row.id), (error: unknown) => isPolicyError(error) && error.code === 'NOT_FOUND');
    assert.equal((await listFacilityMembers(testDb.db, facilityId)).invitations.some((invitation) => invitation.id === row.id), false);
  });

  it('names each wrong field and saves nothing', async () => {
    const before = await testDb.db.accountLink.count();
    await assert.rejects(inviteMember(context, actor, facilityId, { email: 'not-an-email', role: 'JANITOR' }), (error: unknown) => {
      assert.ok(isAdminError(error));
      assert.equal(error.code, 'INVALID_INPUT');
      assert.match(error.fields.email, /valid email/);
      assert.match(error.fields.role, /Choose a role/);
      return true;
    });
    assert.equal(await testDb.db.accountLink.count(), before);

    const link = await inviteMember(context, actor, facilityId, { email: 'short@north.example', role: 'REFERRING' });
    await assert.rejects(acceptInvitation(context, { token: tokenOf(link.path), name: ' ', password: 'short' }, client), (error: unknown) => {
      assert.ok(isAdminError(error));
      assert.deepEqual(Object.keys(error.fields).sort(), ['name', 'password']);
      return true;
    });
    assert.equal(await testDb.db.user.count({ where: { email: 'short@north.example' } }), 0);
    assert.equal((await testDb.db.accountLink.findFirstOrThrow({ where: { email: 'short@north.example' } })).usedAt, null, 'the link still works');
  });

  it('refuses to invite a member of the facility again, or a disabled account', async () => {
    const existing = await createUser(testDb.db, { memberships: [{ facilityId, role: 'EXPERT' }] });
    await assert.rejects(inviteMember(context, actor, facilityId, { email: existing.email, role: 'EXPERT' }), adminError('CONFLICT', 'email'));
    const disabled = await createUser(testDb.db, { disabled: true });
    await assert.rejects(inviteMember(context, actor, facilityId, { email: disabled.email, role: 'EXPERT' }), adminError('CONFLICT', 'email'));
  });

  it('lets an existing account of another facility join with its own password: wrong password refused and audited, then a membership', async () => {
    const elsewhere = await createFacility(testDb.db, 'South');
    const colleague = await createUser(testDb.db, { passwordHash: await hashPassword('south side passphrase'), memberships: [{ facilityId: elsewhere.id, role: 'EXPERT' }] });
    const link = await inviteMember(context, actor, facilityId, { email: colleague.email, role: 'REFERRING' });
    assert.equal((await testDb.db.accountLink.findFirstOrThrow({ where: { email: colleague.email } })).userId, colleague.id);

    await assert.rejects(acceptInvitation(context, { token: tokenOf(link.path), password: 'a guess' }, client), adminError('INVALID_INPUT', 'password'));
    const denied = await testDb.db.auditEvent.findFirst({ where: { action: 'account.accept_invitation', outcome: 'DENIED', actorUserId: colleague.id } });
    assert.ok(denied, 'the wrong password is audited');
    assert.equal(await testDb.db.membership.count({ where: { userId: colleague.id, facilityId } }), 0);

    const accepted = await acceptInvitation(context, { token: tokenOf(link.path), password: 'south side passphrase' }, client);
    assert.equal(accepted.user.id, colleague.id);
    const memberships = await testDb.db.membership.findMany({ where: { userId: colleague.id }, orderBy: { createdAt: 'asc' }, select: { facilityId: true, role: true } });
    assert.deepEqual(memberships, [{ facilityId: elsewhere.id, role: 'EXPERT' }, { facilityId, role: 'REFERRING' }]);
    assert.equal((await verifyCredentials(context, { email: colleague.email, password: 'south side passphrase', ip: '10.9.9.8', door: 'auth.sign_in' })).ok, true, 'the password is unchanged');
    await assert.rejects(acceptInvitation(context, { token: tokenOf(link.path), password: 'south side passphrase' }, client), adminError('LINK_USED'));
  });

  it('changes a role, but never the acting admin\'s own ADMIN role', async () => {
    const member = await createUser(testDb.db, { memberships: [{ facilityId, role: 'REFERRING' }, { facilityId, role: 'EMERGENCY' }] });
    await changeMemberRole(context, actor, facilityId, member.id, 'EXPERT');
    const roles = await testDb.db.membership.findMany({ where: { userId: member.id }, select: { role: true } });
    assert.deepEqual(roles.map((row) => row.role), ['EXPERT']);
    await assert.rejects(changeMemberRole(context, actor, facilityId, actor.userId, 'EXPERT'), adminError('NOT_ALLOWED'));
    await assert.rejects(changeMemberRole(context, actor, facilityId, member.id, 'OWNER'), adminError('INVALID_INPUT'));
  });

  it('disabling ends every session of the account at once; enabling restores the account', async () => {
    const member = await createUser(testDb.db, { memberships: [{ facilityId, role: 'EXPERT' }] });
    const sessions = [await createSession(testDb.db, { userId: member.id, ttlHours: 1 }), await createSession(testDb.db, { userId: member.id, ttlHours: 1 })];
    const { sessionsEnded } = await setMemberDisabled(context, actor, facilityId, member.id, true);
    assert.equal(sessionsEnded, 2);
    for (const session of sessions) assert.equal(await resolveSession(testDb.db, session.token, { ttlHours: 1 }), null);
    assert.equal(await testDb.db.session.count({ where: { userId: member.id } }), 0);
    await assert.rejects(setMemberDisabled(context, actor, facilityId, actor.userId, true), adminError('NOT_ALLOWED'));
    await setMemberDisabled(context, actor, facilityId, member.id, false);
    assert.equal((await testDb.db.user.findUniqueOrThrow({ where: { id: member.id } })).disabled, false);
    const actions = (await testDb.db.auditEvent.findMany({ where: { resource: `user:${member.id}` }, orderBy: { at: 'asc' } })).map((row) => row.action);
    assert.deepEqual(actions, ['admin.disable_user', 'admin.enable_user']);
  });

  it('a reset link sets a new password once, signs out the old sessions and signs in', async () => {
    const member = await createUser(testDb.db, { email: `reset-${Date.now()}@north.example`, memberships: [{ facilityId, role: 'EXPERT' }] });
    const old = await createSession(testDb.db, { userId: member.id, ttlHours: 1 });
    const link = await createPasswordReset(context, actor, facilityId, member.id);
    assert.match(link.path, /^\/reset-password\//);
    // An invitation token does not work as a reset and vice versa.
    await assert.rejects(acceptInvitation(context, { token: tokenOf(link.path), name: 'x', password: 'new password 123' }, client), adminError('LINK_INVALID'));
    const result = await resetPasswordWithLink(context, { token: tokenOf(link.path), password: 'new password 123' }, client);
    assert.equal(result.user.id, member.id);
    assert.equal(await resolveSession(testDb.db, old.token, { ttlHours: 1 }), null);
    assert.ok(await resolveSession(testDb.db, result.sessionToken, { ttlHours: 1 }));
    assert.equal((await verifyCredentials(context, { email: member.email, password: 'new password 123', ip: '10.7.7.7', door: 'auth.sign_in' })).ok, true);
    await assert.rejects(resetPasswordWithLink(context, { token: tokenOf(link.path), password: 'another password 1' }, client), adminError('LINK_USED'));
  });

  it('keeps an admin of another facility out with NOT_FOUND, for every operation', async () => {
    const other = await createFacility(testDb.db, 'South');
    const otherAdmin = await createUser(testDb.db, { memberships: [{ facilityId: other.id, role: 'ADMIN' }] });
    const outsider: AdminActor = { userId: otherAdmin.id, email: otherAdmin.email, ip: '10.0.0.2' };
    const member = await createUser(testDb.db, { memberships: [{ facilityId, role: 'EXPERT' }] });
    const notFound = (error: unknown) => isPolicyError(error) && error.code === 'NOT_FOUND';
    await assert.rejects(inviteMember(context, outsider, facilityId, { email: 'x@y.example', role: 'EXPERT' }), notFound);
    await assert.rejects(changeMemberRole(context, outsider, facilityId, member.id, 'ADMIN'), notFound);
    await assert.rejects(setMemberDisabled(context, outsider, facilityId, member.id, true), notFound);
    await assert.rejects(createPasswordReset(context, outsider, facilityId, member.id), notFound);
    // ...and their own facility's admin page cannot reach this member either.
    await assert.rejects(setMemberDisabled(context, outsider, other.id, member.id, true), notFound);
  });

  it('lists members with roles, status and last seen, and the invitations still waiting', async () => {
    const member = await createUser(testDb.db, { memberships: [{ facilityId, role: 'EXPERT' }] });
    await createSession(testDb.db, { userId: member.id, ttlHours: 1, now: new Date('2026-01-02T03:04:05Z') });
    await inviteMember(context, actor, facilityId, { email: 'waiting@north.example', role: 'EMERGENCY' });
    const { members, invitations } = await listFacilityMembers(testDb.db, facilityId);
    const listed = members.find((candidate) => candidate.id === member.id);
    assert.deepEqual(listed?.roles, ['EXPERT']);
    assert.equal(listed?.lastSeenAt?.toISOString(), '2026-01-02T03:04:05.000Z');
    assert.equal(members.find((candidate) => candidate.id === actor.userId)?.lastSeenAt, null);
    assert.deepEqual(invitations.map((invitation) => [invitation.email, invitation.role]), [['waiting@north.example', 'EMERGENCY']]);
  });
});
