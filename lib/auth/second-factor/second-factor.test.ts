// TOTP second factor on a real database: enrolment, the two-step sign-in,
// one-time codes, recovery codes, throttling, turning it off.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database';
import { isAdminError } from '../../admin/errors';
import { createUser } from '../../policy/test-fixtures';
import { hashPassword } from '../password';
import { resolveSession } from '../sessions';
import { signIn } from '../sign-in';
import { authContextFor } from '../test-context';
import { confirmTotpEnrolment, disableOwnSecondFactor, startTotpEnrolment } from './enrolment';
import { completeSignInWithCode, resolvePendingSignIn } from './pending-sign-in';
import { totpCodeAt } from './totp';

const PASSWORD = 'orbit lantern pepper canyon';
const invalidField = (field: string) => (error: unknown) => isAdminError(error) && error.code === 'INVALID_INPUT' && field in error.fields;

describe('TOTP second factor', () => {
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

  /** A member with an active TOTP; returns its secret and recovery codes. */
  async function enrolledMember(ip = '10.0.0.5') {
    const user = await createUser(testDb.db, { passwordHash });
    const started = await startTotpEnrolment(context, user);
    const { recoveryCodes } = await confirmTotpEnrolment(context, user, totpCodeAt(started.secret, Date.now()), { ip });
    return { user, secret: started.secret, recoveryCodes };
  }

  it('enrols in two steps: the secret is inactive until a code confirms it, then ten recovery codes are shown once', async () => {
    const user = await createUser(testDb.db, { passwordHash });
    const started = await startTotpEnrolment(context, user);
    assert.match(started.secret, /^[A-Z2-7]{32}$/);
    assert.ok(started.uri.startsWith('otpauth://totp/Telepacs:') && started.uri.includes(`secret=${started.secret}`));
    assert.match(started.qrSvg, /^<svg[\s\S]*<\/svg>\s*$/);
    const started2 = await signIn(context, { email: user.email, password: PASSWORD, ip: '10.0.0.1' });
    assert.ok(started2.ok && started2.secondFactor === null, 'not active before confirmation');

    await assert.rejects(confirmTotpEnrolment(context, user, '000000', { ip: '10.0.0.1' }), invalidField('code'));
    const { recoveryCodes } = await confirmTotpEnrolment(context, user, totpCodeAt(started.secret, Date.now()), { ip: '10.0.0.1' });
    assert.equal(recoveryCodes.length, 10);
    assert.equal(new Set(recoveryCodes).size, 10);

    const stored = JSON.stringify({
      factor: await testDb.db.totpFactor.findUniqueOrThrow({ where: { userId: user.id } }),
      codes: await testDb.db.recoveryCode.findMany({ where: { userId: user.id } }),
    });
    assert.ok(!stored.includes(started.secret), 'the secret is stored encrypted');
    for (const code of recoveryCodes) assert.ok(!stored.includes(code) && !stored.includes(code.replace('-', '')), 'recovery codes are stored hashed');
    await assert.rejects(startTotpEnrolment(context, user), (error: unknown) => isAdminError(error) && error.code === 'CONFLICT');
    const audit = await testDb.db.auditEvent.findMany({ where: { actorUserId: user.id }, orderBy: { at: 'asc' } });
    assert.deepEqual(
      audit.map((row) => `${row.action}:${row.outcome}`).filter((entry) => !entry.startsWith('auth.sign_in')),
      ['auth.second_factor:FAILURE', 'account.enrol_second_factor:SUCCESS'],
    );
  });

  it('asks for the code after the password; the half-done sign-in opens nothing, the code opens a new session', async () => {
    const { user, secret } = await enrolledMember();
    const first = await signIn(context, { email: user.email, password: PASSWORD, ip: '10.0.1.1' });
    assert.ok(first.ok);
    assert.equal(first.secondFactor, 'CODE');
    assert.equal(await resolveSession(testDb.db, first.sessionToken, { ttlHours: 12 }), null, 'a pending sign-in is no session');
    assert.equal((await resolvePendingSignIn(testDb, first.sessionToken))?.user.id, user.id);

    const wrong = await completeSignInWithCode(context, { pendingToken: first.sessionToken, code: '123456', ip: '10.0.1.1' });
    assert.deepEqual(wrong, { ok: false, reason: 'INVALID_CODE' });
    const done = await completeSignInWithCode(context, { pendingToken: first.sessionToken, code: totpCodeAt(secret, Date.now() + 30_000), ip: '10.0.1.1' });
    assert.ok(done.ok);
    assert.notEqual(done.sessionToken, first.sessionToken, 'a new token, not the pending one');
    assert.equal((await resolveSession(testDb.db, done.sessionToken, { ttlHours: 12 }))?.user.id, user.id);
    assert.equal(await resolvePendingSignIn(testDb, first.sessionToken), null, 'the pending row is gone');

    const failures = await testDb.db.auditEvent.findMany({ where: { actorUserId: user.id, action: 'auth.second_factor', outcome: 'FAILURE' } });
    assert.equal(failures.length, 1);
    assert.equal(JSON.parse(failures[0].details).purpose, 'sign-in');
    assert.ok(await testDb.db.auditEvent.findFirst({ where: { actorUserId: user.id, action: 'auth.sign_in', outcome: 'SUCCESS', details: { contains: 'TOTP' } } }));
  });

  it('accepts a code once (a replay within its 30 s is refused), one step of clock drift, not two', async () => {
    const { user, secret } = await enrolledMember();
    const pendingToken = async () => {
      const result = await signIn(context, { email: user.email, password: PASSWORD, ip: '10.0.2.1' });
      assert.ok(result.ok && result.secondFactor === 'CODE');
      return result.sessionToken;
    };
    // enrolment used the current step: the same code is now refused
    const current = totpCodeAt(secret, Date.now());
    assert.equal((await completeSignInWithCode(context, { pendingToken: await pendingToken(), code: current, ip: '10.0.2.1' })).ok, false, 'the code used to enrol');
    const twoStepsAhead = totpCodeAt(secret, Date.now() + 90_000);
    assert.equal((await completeSignInWithCode(context, { pendingToken: await pendingToken(), code: twoStepsAhead, ip: '10.0.2.1' })).ok, false, 'too far ahead');
    const next = totpCodeAt(secret, Date.now() + 30_000);
    assert.equal((await completeSignInWithCode(context, { pendingToken: await pendingToken(), code: next, ip: '10.0.2.1' })).ok, true, 'one step ahead');
    assert.equal((await completeSignInWithCode(context, { pendingToken: await pendingToken(), code: next, ip: '10.0.2.1' })).ok, false, 'replayed');
    const reasons = (await testDb.db.auditEvent.findMany({ where: { actorUserId: user.id, action: 'auth.second_factor' } })).map((row) => JSON.parse(row.details).reason);
    assert.ok(reasons.includes('CODE_ALREADY_USED'), reasons.join());
  });

  it('lets a recovery code sign in once, typed in any case with or without its dash', async () => {
    const { user, recoveryCodes } = await enrolledMember();
    const pending = await signIn(context, { email: user.email, password: PASSWORD, ip: '10.0.3.1' });
    assert.ok(pending.ok);
    const typed = recoveryCodes[3].toUpperCase().replace('-', ' ');
    const done = await completeSignInWithCode(context, { pendingToken: pending.sessionToken, code: typed, ip: '10.0.3.1' });
    assert.ok(done.ok);
    assert.equal(done.recoveryCodesLeft, 9);
    const again = await signIn(context, { email: user.email, password: PASSWORD, ip: '10.0.3.1' });
    assert.ok(again.ok);
    assert.deepEqual(await completeSignInWithCode(context, { pendingToken: again.sessionToken, code: recoveryCodes[3], ip: '10.0.3.1' }), { ok: false, reason: 'INVALID_CODE' });
  });

  it('throttles wrong codes like passwords, and a right password does not reset the count', async () => {
    const { user, secret } = await enrolledMember();
    let retryAfterSeconds = 0;
    for (let attempt = 0; attempt < 7; attempt += 1) {
      // a fresh right password before each guess, as an attacker who has it would
      const pending = await signIn(context, { email: user.email, password: PASSWORD, ip: '10.0.4.1' });
      assert.ok(pending.ok, `the password step ${attempt}`);
      const result = await completeSignInWithCode(context, { pendingToken: pending.sessionToken, code: String(100000 + attempt), ip: '10.0.4.1' });
      assert.equal(result.ok, false);
      if (!result.ok && result.reason === 'RATE_LIMITED') retryAfterSeconds = result.retryAfterSeconds;
    }
    assert.ok(retryAfterSeconds > 0, 'limited after repeated wrong codes');
    const pending = await signIn(context, { email: user.email, password: PASSWORD, ip: '10.0.4.1' });
    assert.ok(pending.ok);
    const right = await completeSignInWithCode(context, { pendingToken: pending.sessionToken, code: totpCodeAt(secret, Date.now() + 30_000), ip: '10.0.4.1' });
    assert.equal(right.ok === false && right.reason, 'RATE_LIMITED', 'even the right code waits');
    assert.ok(await testDb.db.auditEvent.findFirst({ where: { actorUserId: user.id, action: 'auth.second_factor', outcome: 'DENIED' } }));
  });

  it('turns off only with the password and a code; afterwards the password alone signs in', async () => {
    const { user, secret } = await enrolledMember();
    const client = { ip: '10.0.5.1' };
    await assert.rejects(disableOwnSecondFactor(context, user, { password: 'not the password at all', code: totpCodeAt(secret, Date.now() + 30_000) }, client), invalidField('password'));
    await assert.rejects(disableOwnSecondFactor(context, user, { password: PASSWORD, code: '000000' }, client), invalidField('code'));
    assert.equal(await testDb.db.totpFactor.count({ where: { userId: user.id } }), 1);
    assert.deepEqual(await disableOwnSecondFactor(context, user, { password: PASSWORD, code: totpCodeAt(secret, Date.now() + 30_000) }, client), { mustEnrolAgain: false });
    assert.equal(await testDb.db.recoveryCode.count({ where: { userId: user.id } }), 0);
    const result = await signIn(context, { email: user.email, password: PASSWORD, ip: client.ip });
    assert.ok(result.ok && result.secondFactor === null);
    assert.ok(await testDb.db.auditEvent.findFirst({ where: { actorUserId: user.id, action: 'account.disable_second_factor' } }));
  });
});
