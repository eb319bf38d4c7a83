// The TOTP sign-in through the real route handlers and a real node (database,
// DICOMweb over HTTP): enrolment, the two steps, what a half-done sign-in can
// reach, HTTP Basic refused, a facility that requires a second factor.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SESSION_COOKIE_NAME } from '../../lib/auth';
import { hashPassword } from '../../lib/auth/password';
import { totpCodeAt } from '../../lib/auth/second-factor/totp';
import { POST as signInRoute } from '../../app/api/auth/sign-in/route';
import { POST as codeRoute } from '../../app/api/auth/second-factor/route';
import { POST as enrolmentRoute } from '../../app/api/auth/second-factor/enrolment/route';
import { GET as statusRoute } from '../../app/api/account/second-factor/route';
import { POST as createTokenRoute } from '../../app/api/account/api-tokens/route';
import { PUT as policyRoute } from '../../app/api/admin/facilities/[facilityId]/second-factor-policy/route';
import { startTestServer, TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD, type TestServer } from '../support/test-server';

describe('sign-in with a second factor, through the routes', () => {
  let server: TestServer;
  let host: string;

  before(async () => {
    server = await startTestServer();
    host = new URL(server.url).host;
  });
  after(async () => {
    await server.stop();
  });

  function request(path: string, options: { method?: string; cookie?: string; body?: unknown; form?: Record<string, string> } = {}): Request {
    const headers: Record<string, string> = { host, origin: server.url, 'user-agent': 'integration-test' };
    if (options.cookie) headers.cookie = `${SESSION_COOKIE_NAME}=${options.cookie}`;
    let body: string | undefined;
    if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    } else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    return new Request(`${server.url}${path}`, { method: options.method ?? 'POST', headers, body });
  }

  function cookieOf(response: Response): string {
    const match = new RegExp(`${SESSION_COOKIE_NAME}=([^;]+)`).exec(response.headers.get('set-cookie') ?? '');
    assert.ok(match, 'a session cookie is set');
    return match[1];
  }

  async function enrolThrough(cookie: string): Promise<{ secret: string; recoveryCodes: string[]; response: Response }> {
    const started = await enrolmentRoute(request('/api/auth/second-factor/enrolment', { cookie, body: { action: 'start' } }));
    assert.equal(started.status, 200);
    const { secret, qrSvg } = (await started.json()) as { secret: string; qrSvg: string };
    assert.match(qrSvg, /<svg/);
    const wrong = await enrolmentRoute(request('/api/auth/second-factor/enrolment', { cookie, body: { action: 'confirm', code: '000000' } }));
    assert.equal(wrong.status, 400);
    const response = await enrolmentRoute(request('/api/auth/second-factor/enrolment', { cookie, body: { action: 'confirm', code: totpCodeAt(secret, Date.now()) } }));
    assert.equal(response.status, 200);
    const { recoveryCodes } = (await response.clone().json()) as { recoveryCodes: string[] };
    return { secret, recoveryCodes, response };
  }

  it('asks for the code after the password; until then neither the APIs nor DICOMweb open; HTTP Basic is refused with the reason', async () => {
    const first = await signInRoute(request('/api/auth/sign-in', { body: { email: TEST_ADMIN_EMAIL, password: TEST_ADMIN_PASSWORD } }));
    assert.equal(first.status, 200);
    const { secret, recoveryCodes } = await enrolThrough(cookieOf(first));
    assert.equal(recoveryCodes.length, 10);

    const step1 = await signInRoute(request('/api/auth/sign-in', { body: { email: TEST_ADMIN_EMAIL, password: TEST_ADMIN_PASSWORD, next: '/admin' } }));
    assert.equal(step1.status, 200);
    assert.deepEqual(await step1.clone().json(), { secondFactor: 'CODE', next: '/sign-in?next=%2Fadmin' });
    const pending = cookieOf(step1);
    assert.equal((await statusRoute(request('/api/account/second-factor', { method: 'GET', cookie: pending }))).status, 401);
    const dicomweb = await fetch(`${server.dicomwebUrl}/studies`, { headers: { cookie: `${SESSION_COOKIE_NAME}=${pending}` } });
    assert.equal(dicomweb.status, 401, 'DICOMweb does not take a half-done sign-in');

    const wrong = await codeRoute(request('/api/auth/second-factor', { cookie: pending, body: { code: '999999' } }));
    assert.equal(wrong.status, 401);
    assert.equal(((await wrong.json()) as { error: string }).error, 'INVALID_CODE');
    const done = await codeRoute(request('/api/auth/second-factor', { cookie: pending, body: { code: totpCodeAt(secret, Date.now() + 30_000), next: '/admin' } }));
    assert.equal(done.status, 200);
    const session = cookieOf(done);
    assert.notEqual(session, pending);
    const status = (await (await statusRoute(request('/api/account/second-factor', { method: 'GET', cookie: session }))).json()) as { enabledAt: string | null; recoveryCodesLeft: number };
    assert.ok(status.enabledAt);
    assert.equal(status.recoveryCodesLeft, 10);
    assert.ok((await fetch(`${server.dicomwebUrl}/studies`, { headers: { cookie: `${SESSION_COOKIE_NAME}=${session}` } })).status < 300, 'the full session reaches DICOMweb');

    const basic = await fetch(`${server.dicomwebUrl}/studies`, { headers: { authorization: server.adminAuthorization } });
    assert.equal(basic.status, 401);
    assert.match(((await basic.json()) as { error: string }).error, /second factor must use an API token/);
    const created = await createTokenRoute(request('/api/account/api-tokens', { cookie: session, body: { name: 'nightly export' } }));
    const { token } = (await created.json()) as { token: { token: string } };
    assert.ok((await fetch(`${server.dicomwebUrl}/studies`, { headers: { authorization: `Bearer ${token.token}` } })).status < 300, 'an API token works');

    // Without JavaScript: the password form post is sent to the second step, and the code form post to `next`.
    const formStep1 = await signInRoute(request('/api/auth/sign-in', { form: { email: TEST_ADMIN_EMAIL, password: TEST_ADMIN_PASSWORD, next: '/audit' } }));
    assert.equal(formStep1.status, 303);
    assert.equal(formStep1.headers.get('location'), '/sign-in?next=%2Faudit');
    const formDone = await codeRoute(request('/api/auth/second-factor', { cookie: cookieOf(formStep1), form: { code: recoveryCodes[0], next: '/audit' } }));
    assert.equal(formDone.status, 303);
    assert.equal(formDone.headers.get('location'), '/audit');
  });

  it('a facility that requires a second factor sends an unenrolled member to enrolment, which then signs them in', async () => {
    const db = server.node.runtime.db;
    const facility = await db.facility.findFirstOrThrow({ where: { memberships: { some: { user: { email: TEST_ADMIN_EMAIL } } } } });
    const member = await db.user.create({ data: { email: 'ward.nurse@telepacs.test', name: 'Ward Nurse', passwordHash: await hashPassword('harbor violin copper zebra') } });
    await db.membership.create({ data: { userId: member.id, facilityId: facility.id, role: 'REFERRING' } });

    const signInAsAdmin = await signInRoute(request('/api/auth/sign-in', { body: { email: TEST_ADMIN_EMAIL, password: TEST_ADMIN_PASSWORD } }));
    // the admin's own pending sign-in cannot change the rule
    assert.equal((await policyRoute(request(`/api/admin/facilities/${facility.id}/second-factor-policy`, { method: 'PUT', cookie: cookieOf(signInAsAdmin), body: { policy: 'EVERYONE' } }), { params: Promise.resolve({ facilityId: facility.id }) })).status, 401);
    await db.facility.update({ where: { id: facility.id }, data: { secondFactorPolicy: 'EVERYONE' } });

    const step1 = await signInRoute(request('/api/auth/sign-in', { body: { email: member.email, password: 'harbor violin copper zebra' } }));
    assert.equal(((await step1.clone().json()) as { secondFactor: string }).secondFactor, 'ENROL');
    const pending = cookieOf(step1);
    assert.equal((await statusRoute(request('/api/account/second-factor', { method: 'GET', cookie: pending }))).status, 401, 'nothing else until enrolled');
    const { response } = await enrolThrough(pending);
    const session = cookieOf(response);
    const status = (await (await statusRoute(request('/api/account/second-factor', { method: 'GET', cookie: session }))).json()) as { enabledAt: string | null; required: boolean };
    assert.ok(status.enabledAt);
    assert.equal(status.required, true);
  });
});
