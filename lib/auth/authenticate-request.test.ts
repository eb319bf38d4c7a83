import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';
import { createFacility, createUser } from '../policy/test-fixtures';
import type { AuthContext } from './auth-context';
import { createApiToken } from './api-tokens';
import { authenticateRequest as authenticateOrThrottle, type AuthenticationRequest } from './authenticate-request';
import type { Principal } from '../../pacs-core/access';
import { hashPassword } from './password';
import { createSession } from './sessions';
import { authContextFor } from './test-context';
import { auditQueueFor } from '../audit/audit-queue';

function basic(email: string, password: string): string {
  return `Basic ${Buffer.from(`${email}:${password}`).toString('base64')}`;
}

/** The principal, or null; a throttled answer fails the test (asserted in its own test). */
async function authenticateRequest(input: AuthenticationRequest, context: AuthContext): Promise<Principal | null> {
  const result = await authenticateOrThrottle(input, context);
  assert.ok(!result || !('throttled' in result), 'not throttled');
  return result as Principal | null;
}

function request(headers: IncomingHttpHeaders, method = 'GET') {
  return { headers: { host: 'pacs.local:3000', ...headers }, method, remoteAddress: '::ffff:10.2.0.1', secure: false };
}

describe('authenticateRequest', () => {
  let testDb: TestDatabase;
  let context: AuthContext;
  let facilityId: string;
  let userId: string;
  let sessionToken: string;
  before(async () => {
    testDb = await createTestDatabase();
    context = authContextFor(testDb);
    facilityId = (await createFacility(testDb.db)).id;
    const user = await createUser(testDb.db, {
      email: 'radiologist@hospital.example',
      passwordHash: await hashPassword('s3cret-pass'),
      memberships: [{ facilityId, role: 'EXPERT' }],
    });
    userId = user.id;
    sessionToken = (await createSession(testDb.db, { userId, ttlHours: 12 })).token;
  });
  after(async () => {
    await testDb.cleanup();
  });

  it('accepts HTTP Basic with email and password, and gives the policy scope', async () => {
    const principal = await authenticateRequest(request({ authorization: basic('radiologist@hospital.example', 's3cret-pass') }), context);
    assert.ok(principal);
    assert.equal(principal.label, 'radiologist@hospital.example');
    assert.equal(principal.userId, userId);
    assert.deepEqual(principal.readScope, { kind: 'facilities', facilityIds: [facilityId] });
    assert.equal(principal.storeFacilityId, facilityId);
    assert.equal(principal.sourceIp, '10.2.0.1');
  });

  it('remembers a Basic verification briefly, but a password change takes effect at once', async () => {
    const email = 'script@hospital.example';
    const user = await createUser(testDb.db, { email, passwordHash: await hashPassword('old-password'), memberships: [{ facilityId, role: 'REFERRING' }] });
    const headers = { authorization: basic(email, 'old-password') };
    assert.ok(await authenticateRequest(request(headers), context));
    const cache = context.shared.get('auth.verifiedCredentials') as { entries: Map<string, unknown> };
    const cachedBefore = cache.entries.size;
    assert.ok(await authenticateRequest(request(headers), context));
    assert.equal(cache.entries.size, cachedBefore, 'the second request reuses the cached verification');
    await testDb.db.user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword('new-password') } });
    assert.equal(await authenticateRequest(request(headers), context), null);
    assert.ok(await authenticateRequest(request({ authorization: basic(email, 'new-password') }), context));
  });

  it('refuses a wrong Basic password without falling back to the cookie', async () => {
    const principal = await authenticateRequest(
      request({ authorization: basic('radiologist@hospital.example', 'wrong'), cookie: `telepacs_session=${sessionToken}` }),
      context,
    );
    assert.equal(principal, null);
  });

  it('throttles HTTP Basic failures per account and address, says when to retry, and audits each for the account’s facility', async () => {
    const email = 'integration@hospital.example';
    const account = await createUser(testDb.db, { email, passwordHash: await hashPassword('integration-pass'), memberships: [{ facilityId, role: 'REFERRING' }] });
    const from = (address: string, password: string) => ({ ...request({ authorization: basic(email, password) }), remoteAddress: address });
    for (let attempt = 0; attempt < 5; attempt += 1) assert.equal(await authenticateOrThrottle(from('10.7.0.1', `guess ${attempt}`), context), null);
    const throttled = await authenticateOrThrottle(from('10.7.0.1', 'integration-pass'), context);
    assert.ok(throttled && 'throttled' in throttled, 'the right password from the guessing address waits too');
    assert.ok(throttled.retryAfterSeconds > 0 && throttled.retryAfterSeconds <= 900);
    // The integration itself, at its own address, is not locked out by the guesser
    assert.equal((await authenticateRequest(from('10.7.0.2', 'integration-pass'), context))?.userId, account.id);
    await auditQueueFor(context).flush();
    const rows = await testDb.db.auditEvent.findMany({ where: { action: 'auth.basic', actor: email, facilityId } });
    assert.equal(rows.filter((row) => row.outcome === 'FAILURE').length, 5);
    assert.equal(rows.filter((row) => row.outcome === 'DENIED').length, 1);
    assert.ok(rows.every((row) => JSON.parse(row.details).eventId === '110114' && row.sourceIp === '10.7.0.1' && row.actorUserId === null));
  });

  it('accepts a Bearer API token, labelled by the token name', async () => {
    const { token } = await createApiToken(testDb.db, { userId, name: 'orthanc-peer' });
    const principal = await authenticateRequest(request({ authorization: `Bearer ${token}` }), context);
    assert.equal(principal?.label, 'token:orthanc-peer');
    assert.equal(principal?.userId, userId);
    assert.equal(await authenticateRequest(request({ authorization: 'Bearer tp_000000000000_nope' }), context), null);
  });

  it('accepts the session cookie for reads', async () => {
    const principal = await authenticateRequest(request({ cookie: `other=1; telepacs_session=${sessionToken}` }), context);
    assert.equal(principal?.userId, userId);
  });

  it('accepts a cookie-authenticated POST only from the same origin (CSRF)', async () => {
    const cookie = `telepacs_session=${sessionToken}`;
    assert.equal(await authenticateRequest(request({ cookie }, 'POST'), context), null);
    assert.equal(await authenticateRequest(request({ cookie, origin: 'https://evil.example' }, 'POST'), context), null);
    assert.equal((await authenticateRequest(request({ cookie, origin: 'http://pacs.local:3000' }, 'POST'), context))?.userId, userId);
    assert.equal((await authenticateRequest(request({ cookie, referer: 'http://pacs.local:3000/upload' }, 'DELETE'), context))?.userId, userId);
  });

  it('refuses anonymous callers and users who were disabled', async () => {
    assert.equal(await authenticateRequest(request({}), context), null);
    const email = 'gone@hospital.example';
    const gone = await createUser(testDb.db, { email, passwordHash: await hashPassword('pw-of-gone'), memberships: [{ facilityId, role: 'REFERRING' }] });
    const { token } = await createApiToken(testDb.db, { userId: gone.id, name: 'gone' });
    const session = await createSession(testDb.db, { userId: gone.id, ttlHours: 12 });
    await testDb.db.user.update({ where: { id: gone.id }, data: { disabled: true } });
    assert.equal(await authenticateRequest(request({ authorization: basic(email, 'pw-of-gone') }), context), null);
    assert.equal(await authenticateRequest(request({ authorization: `Bearer ${token}` }), context), null);
    assert.equal(await authenticateRequest(request({ cookie: `telepacs_session=${session.token}` }), context), null);
  });

  it('writes the principal’s audit events as AuditEvent rows', async () => {
    const principal = await authenticateRequest(request({ cookie: `telepacs_session=${sessionToken}` }), context);
    assert.ok(principal);
    await principal.audit({ action: 'dicomweb.qido', outcome: 'SUCCESS', resource: '/dicomweb/studies', studyUid: '1.2.3' });
    await auditQueueFor(context).flush(); // group-committed a few ms after the access
    const row = await testDb.db.auditEvent.findFirstOrThrow({ where: { action: 'dicomweb.qido', studyUid: '1.2.3' } });
    assert.equal(row.actor, 'radiologist@hospital.example');
    assert.equal(row.actorUserId, userId);
    assert.equal(row.sourceIp, '10.2.0.1');
  });

  it('uses the proxy’s address only when TRUST_PROXY is set', async () => {
    const trusting = { ...authContextFor(testDb, { TRUST_PROXY: 'true' }), shared: context.shared };
    const headers = { cookie: `telepacs_session=${sessionToken}`, 'x-forwarded-for': '198.51.100.4' };
    assert.equal((await authenticateRequest(request(headers), trusting))?.sourceIp, '198.51.100.4');
    assert.equal((await authenticateRequest(request(headers), context))?.sourceIp, '10.2.0.1');
  });
});
