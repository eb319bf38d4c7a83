// A facility's second-factor rule, an admin's reset, reset links and HTTP
// Basic for accounts with a second factor; real database.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database';
import { isAdminError } from '../../admin/errors';
import { isPolicyError } from '../../policy';
import { createFacility, createUser } from '../../policy/test-fixtures';
import { resetPasswordWithLink } from '../../users/accept-account-link';
import { createPasswordReset } from '../../users/create-password-reset';
import { resetMemberSecondFactor } from '../../users/reset-member-second-factor';
import { setSecondFactorPolicy } from '../../users/set-second-factor-policy';
import { createApiToken } from '../api-tokens';
import { authenticateRequest } from '../authenticate-request';
import { hashPassword } from '../password';
import { createSession, resolveSession } from '../sessions';
import { signIn } from '../sign-in';
import { authContextFor } from '../test-context';
import { confirmTotpEnrolment, startTotpEnrolment } from './enrolment';
import { promotePendingSignIn, resolvePendingSignIn } from './pending-sign-in';
import { totpCodeAt } from './totp';

const PASSWORD = 'zebra-copper-violin-harbor';

describe('second factor rules', () => {
  let testDb: TestDatabase;
  let context: ReturnType<typeof authContextFor>;
  let passwordHash: string;

  before(async () => {
    testDb = await createTestDatabase();
    context = authContextFor(testDb);
    passwordHash = await hashPassword(PASSWORD);
  });
  after(async () => {
    await testDb.cleanup();
  });

  async function facilityWithAdmin() {
    const facility = await createFacility(testDb.db);
    const admin = await createUser(testDb.db, { passwordHash, memberships: [{ facilityId: facility.id, role: 'ADMIN' }] });
    return { facilityId: facility.id, admin, actor: { userId: admin.id, email: admin.email, ip: '10.1.0.1' } };
  }

  async function enrol(user: { id: string; email: string }) {
    const started = await startTotpEnrolment(context, user);
    await confirmTotpEnrolment(context, user, totpCodeAt(started.secret, Date.now()), { ip: '10.1.0.9' });
    return started.secret;
  }

  it('ADMINS binds administrators only; EVERYONE binds every member; an unenrolled member is sent to enrolment and reaches nothing else', async () => {
    const { facilityId, admin, actor } = await facilityWithAdmin();
    const doctor = await createUser(testDb.db, { passwordHash, memberships: [{ facilityId, role: 'EXPERT' }] });
    const doctorSession = await createSession(testDb.db, { userId: doctor.id, ttlHours: 12 });
    await enrol(admin);

    await setSecondFactorPolicy(context, actor, facilityId, { policy: 'ADMINS' });
    const asDoctor = await signIn(context, { email: doctor.email, password: PASSWORD, ip: '10.1.1.1' });
    assert.ok(asDoctor.ok && asDoctor.secondFactor === null, 'a plain member is not bound by ADMINS');

    const result = await setSecondFactorPolicy(context, actor, facilityId, { policy: 'EVERYONE' });
    assert.ok(result.sessionsSentToEnrolment >= 1);
    assert.equal(await resolveSession(testDb.db, doctorSession.token, { ttlHours: 12 }), null, "the doctor's open session now waits for enrolment");
    assert.equal((await resolvePendingSignIn(testDb, doctorSession.token))?.stage, 'ENROL');

    const pending = await signIn(context, { email: doctor.email, password: PASSWORD, ip: '10.1.1.1' });
    assert.ok(pending.ok && pending.secondFactor === 'ENROL');
    assert.equal(await resolveSession(testDb.db, pending.sessionToken, { ttlHours: 12 }), null);
    const pendingSignIn = await resolvePendingSignIn(testDb, pending.sessionToken);
    assert.ok(pendingSignIn);
    await enrol(doctor);
    const promoted = await promotePendingSignIn(context, pendingSignIn, { ip: '10.1.1.1' }, { secondFactor: 'ENROLLED' });
    assert.equal((await resolveSession(testDb.db, promoted.sessionToken, { ttlHours: 12 }))?.user.id, doctor.id);

    await assert.rejects(setSecondFactorPolicy(context, actor, facilityId, { policy: 'SOMETIMES' }), (error: unknown) => isAdminError(error) && 'policy' in error.fields);
    const audit = await testDb.db.auditEvent.findMany({ where: { facilityId, action: 'admin.set_second_factor_policy' }, orderBy: { at: 'asc' } });
    assert.deepEqual(audit.map((row) => JSON.parse(row.details).policy), ['ADMINS', 'EVERYONE']);
  });

  it("a facility's admin cannot set another facility's rule (NOT_FOUND)", async () => {
    const north = await facilityWithAdmin();
    const south = await facilityWithAdmin();
    await assert.rejects(setSecondFactorPolicy(context, north.actor, south.facilityId, { policy: 'EVERYONE' }), (error: unknown) => isPolicyError(error) && error.code === 'NOT_FOUND');
    assert.equal((await testDb.db.facility.findUniqueOrThrow({ where: { id: south.facilityId } })).secondFactorPolicy, 'NONE');
  });

  it("an admin resets a member's lost second factor: audited, the member's sessions end, the password alone works again", async () => {
    const { facilityId, actor } = await facilityWithAdmin();
    const member = await createUser(testDb.db, { passwordHash, memberships: [{ facilityId, role: 'REFERRING' }] });
    await enrol(member);
    const session = await createSession(testDb.db, { userId: member.id, ttlHours: 12 });
    const outsider = await facilityWithAdmin();
    await assert.rejects(resetMemberSecondFactor(context, outsider.actor, outsider.facilityId, member.id), (error: unknown) => isPolicyError(error) && error.code === 'NOT_FOUND');
    await assert.rejects(resetMemberSecondFactor(context, actor, facilityId, actor.userId), (error: unknown) => isAdminError(error) && error.code === 'NOT_ALLOWED');

    assert.deepEqual(await resetMemberSecondFactor(context, actor, facilityId, member.id), { hadSecondFactor: true, sessionsEnded: 1 });
    assert.equal(await resolveSession(testDb.db, session.token, { ttlHours: 12 }), null);
    const result = await signIn(context, { email: member.email, password: PASSWORD, ip: '10.1.2.1' });
    assert.ok(result.ok && result.secondFactor === null);
    const row = await testDb.db.auditEvent.findFirstOrThrow({ where: { action: 'admin.reset_second_factor', resource: `user:${member.id}` } });
    assert.equal(row.facilityId, facilityId);
    assert.equal(row.actorUserId, actor.userId);
  });

  it('a password-reset link does not get around an enrolled phone: its session waits for the code', async () => {
    const { facilityId, actor } = await facilityWithAdmin();
    const member = await createUser(testDb.db, { passwordHash, memberships: [{ facilityId, role: 'EXPERT' }] });
    await enrol(member);
    const link = await createPasswordReset(context, actor, facilityId, member.id);
    const reset = await resetPasswordWithLink(context, { token: link.path.split('/').at(-1), password: 'harbor violin copper zebra' }, { ip: '10.1.3.1' });
    assert.equal(reset.secondFactor, 'CODE');
    assert.equal(await resolveSession(testDb.db, reset.sessionToken, { ttlHours: 12 }), null);
  });

  it('refuses HTTP Basic for an account with a second factor (or bound to one) and keeps its API tokens working', async () => {
    const { facilityId } = await facilityWithAdmin();
    const member = await createUser(testDb.db, { passwordHash, memberships: [{ facilityId, role: 'EXPERT' }] });
    const request = (authorization: string) => ({ headers: { host: 'pacs.local', authorization }, method: 'GET', remoteAddress: '10.1.4.1', secure: false });
    const basic = `Basic ${Buffer.from(`${member.email}:${PASSWORD}`).toString('base64')}`;
    assert.ok(await authenticateRequest(request(basic), context), 'Basic works without a second factor');
    await enrol(member);
    assert.equal(await authenticateRequest(request(basic), context), null, 'Basic cannot carry the code');
    const token = await createApiToken(testDb.db, { userId: member.id, name: 'integration', expiresAt: new Date(Date.now() + 86_400_000) });
    assert.ok(await authenticateRequest(request(`Bearer ${token.token}`), context));

    const bound = await createUser(testDb.db, { passwordHash, memberships: [{ facilityId, role: 'EXPERT' }] });
    await testDb.db.facility.update({ where: { id: facilityId }, data: { secondFactorPolicy: 'EVERYONE' } });
    const boundBasic = `Basic ${Buffer.from(`${bound.email}:${PASSWORD}`).toString('base64')}`;
    assert.equal(await authenticateRequest(request(boundBasic), context), null, 'bound to a second factor and not enrolled: no Basic either');
  });
});
