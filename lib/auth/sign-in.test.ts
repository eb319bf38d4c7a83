import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';
import { createFacility, createUser } from '../policy/test-fixtures';
import { auditQueueFor } from '../audit/audit-queue';
import type { AuthContext } from './auth-context';
import { hashPassword } from './password';
import { resolveSession } from './sessions';
import { signIn } from './sign-in';
import { signOut } from './sign-out';
import { authContextFor } from './test-context';

describe('signIn / signOut', () => {
  let testDb: TestDatabase;
  let context: AuthContext;
  let passwordHash: string;
  before(async () => {
    testDb = await createTestDatabase();
    passwordHash = await hashPassword('right password');
  });
  after(async () => {
    await testDb.cleanup();
  });

  it('opens a session for the right password, whatever the email case, and audits it', async () => {
    context = authContextFor(testDb);
    const user = await createUser(testDb.db, { email: 'doctor@hospital.example', passwordHash });
    const result = await signIn(context, { email: '  Doctor@Hospital.example', password: 'right password', ip: '10.1.1.1' });
    assert.ok(result.ok);
    assert.equal(result.user.id, user.id);
    assert.equal((await resolveSession(testDb.db, result.sessionToken, { ttlHours: 12 }))?.user.id, user.id);
    const audit = await testDb.db.auditEvent.findFirstOrThrow({ where: { action: 'auth.sign_in', actorUserId: user.id } });
    assert.equal(audit.outcome, 'SUCCESS');
    assert.equal(audit.sourceIp, '10.1.1.1');
  });

  it('answers a wrong password and an unknown email the same way', async () => {
    context = authContextFor(testDb);
    await createUser(testDb.db, { email: 'nurse@hospital.example', passwordHash });
    const wrong = await signIn(context, { email: 'nurse@hospital.example', password: 'wrong', ip: '10.1.1.2' });
    const unknown = await signIn(context, { email: 'nobody@hospital.example', password: 'wrong', ip: '10.1.1.2' });
    assert.deepEqual(wrong, { ok: false, reason: 'INVALID_CREDENTIALS' });
    assert.deepEqual(unknown, wrong);
    await auditQueueFor(context).flush();
    const failures = await testDb.db.auditEvent.findMany({ where: { action: 'auth.sign_in', outcome: 'FAILURE', sourceIp: '10.1.1.2', facilityId: null } });
    assert.deepEqual(failures.map((row) => row.actor).sort(), ['nobody@hospital.example', 'nurse@hospital.example']);
    assert.ok(failures.every((row) => JSON.parse(row.details).eventId === '110114'), 'DICOM User Authentication');
  });

  it('tells a disabled user so only once the password is right', async () => {
    context = authContextFor(testDb);
    await createUser(testDb.db, { email: 'left@hospital.example', passwordHash, disabled: true });
    assert.deepEqual(await signIn(context, { email: 'left@hospital.example', password: 'nope', ip: '10.1.1.3' }), {
      ok: false,
      reason: 'INVALID_CREDENTIALS',
    });
    assert.deepEqual(await signIn(context, { email: 'left@hospital.example', password: 'right password', ip: '10.1.1.3' }), {
      ok: false,
      reason: 'ACCOUNT_DISABLED',
    });
  });

  it('throttles the guessing address after 5 failures, even for the right password, with a retry delay', async () => {
    context = authContextFor(testDb);
    await createUser(testDb.db, { email: 'target@hospital.example', passwordHash });
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const result = await signIn(context, { email: 'target@hospital.example', password: `guess ${attempt}`, ip: '10.1.1.4' });
      assert.equal(result.ok, false);
    }
    const blocked = await signIn(context, { email: 'target@hospital.example', password: 'right password', ip: '10.1.1.4' });
    assert.ok(!blocked.ok && blocked.reason === 'RATE_LIMITED');
    assert.ok(blocked.retryAfterSeconds > 0 && blocked.retryAfterSeconds <= 900);
  });

  it("lets the owner in from their own address while a stranger's 50 failures elsewhere are throttled", async () => {
    context = authContextFor(testDb);
    const facility = await createFacility(testDb.db);
    const owner = await createUser(testDb.db, { email: 'owner@hospital.example', passwordHash, memberships: [{ facilityId: facility.id, role: 'EXPERT' }] });
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const result = await signIn(context, { email: 'owner@hospital.example', password: `guess ${attempt}`, ip: '203.0.113.66' });
      outcomes.push(result.ok ? 'ok' : result.reason);
    }
    assert.equal(outcomes.filter((outcome) => outcome === 'INVALID_CREDENTIALS').length, 5);
    assert.equal(outcomes.filter((outcome) => outcome === 'RATE_LIMITED').length, 45);
    const signedIn = await signIn(context, { email: 'owner@hospital.example', password: 'right password', ip: '10.1.1.20' });
    assert.ok(signedIn.ok, 'the owner signs in from their usual address');
    // Every attempt is there for the owner's facility administrators (DICOM 110114)
    await auditQueueFor(context).flush();
    const seen = await testDb.db.auditEvent.findMany({ where: { facilityId: facility.id, action: 'auth.sign_in', sourceIp: '203.0.113.66' } });
    assert.equal(seen.length, 50);
    assert.ok(seen.every((row) => row.actor === owner.email && row.actorUserId === null && JSON.parse(row.details).eventId === '110114'));
  });

  it('lets a known device through when the account is throttled everywhere else', async () => {
    context = authContextFor(testDb);
    await createUser(testDb.db, { email: 'ward@hospital.example', passwordHash });
    const first = await signIn(context, { email: 'ward@hospital.example', password: 'right password', ip: '10.1.1.30' });
    assert.ok(first.ok, 'first sign-in');
    // Someone behind the ward's own NAT address guesses (the unit tests cover many addresses)
    for (let attempt = 0; attempt < 5; attempt += 1) await signIn(context, { email: 'ward@hospital.example', password: 'nope', ip: '10.1.1.30' });
    const stranger = await signIn(context, { email: 'ward@hospital.example', password: 'right password', ip: '10.1.1.30' });
    assert.ok(!stranger.ok && stranger.reason === 'RATE_LIMITED', `stranger: ${JSON.stringify(stranger)}`);
    const known = await signIn(context, { email: 'ward@hospital.example', password: 'right password', ip: '10.1.1.30', knownDeviceCookie: first.knownDevice });
    assert.ok(known.ok, `the browser that signed in before gets through: ${JSON.stringify(known)}`);
    // A token of another account, or a forged one, is no known device
    const forged = await signIn(context, { email: 'ward@hospital.example', password: 'right password', ip: '10.1.1.30', knownDeviceCookie: `${'A'.repeat(22)}.${'B'.repeat(43)}` });
    assert.ok(!forged.ok && forged.reason === 'RATE_LIMITED', `forged: ${JSON.stringify(forged)}`);
  });

  it('signs out: the session ends and the sign-out is audited', async () => {
    context = authContextFor(testDb);
    const user = await createUser(testDb.db, { email: 'leaving@hospital.example', passwordHash });
    const result = await signIn(context, { email: 'leaving@hospital.example', password: 'right password', ip: '10.1.1.6' });
    assert.ok(result.ok);
    assert.equal(await signOut(context, { sessionToken: result.sessionToken, ip: '10.1.1.6' }), true);
    assert.equal(await resolveSession(testDb.db, result.sessionToken, { ttlHours: 12 }), null);
    assert.equal(await testDb.db.auditEvent.count({ where: { action: 'auth.sign_out', actorUserId: user.id } }), 1);
  });
});
