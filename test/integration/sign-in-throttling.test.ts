// Issue 12 §5: nobody can lock a colleague out of sign-in. Through the
// sign-in API as the server runs it (the client address is what the server
// resolved into X-Forwarded-For, lib/auth/client-address.ts): a stranger's
// 50 failures from one address are throttled with Retry-After, the owner
// signs in from another at once, and the browser they used is then a known
// device that gets through even at the stranger's address.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { POST as signInRoute } from '../../app/api/auth/sign-in/route';
import { signInErrorMessage } from '../../app/sign-in/messages';
import { hashPassword } from '../../lib/auth';
import { KNOWN_DEVICE_COOKIE_NAME } from '../../lib/auth/known-device';
import { createUser } from '../../lib/policy/test-fixtures';
import { startTestServer, type TestServer } from '../support/test-server';

describe('sign-in throttling through the API', () => {
  let server: TestServer;
  const email = 'owner@hospital.example';
  const password = 'the owner password 1';

  function signIn(address: string, body: Record<string, string>, cookie?: string): Promise<Response> {
    const url = new URL('/api/auth/sign-in', server.url);
    const headers: Record<string, string> = { host: url.host, 'content-type': 'application/json', 'x-forwarded-for': address, ...(cookie ? { cookie } : {}) };
    return signInRoute(new Request(url, { method: 'POST', headers, body: JSON.stringify(body) }));
  }
  const cookieNamed = (response: Response, name: string) =>
    response.headers.getSetCookie().map((cookie) => cookie.split(';')[0]).find((pair) => pair.startsWith(`${name}=`));

  before(async () => {
    server = await startTestServer();
    await createUser(server.node.db, { email, passwordHash: await hashPassword(password), memberships: [{ facilityId: server.node.firstRun.facilityId, role: 'EXPERT' }] });
  });
  after(async () => {
    await server?.stop();
  });

  it("lets the owner in from their address while a stranger's 50 failures are answered 429 with Retry-After", async () => {
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let attempt = 0; attempt < 50; attempt += 1) {
      last = await signIn('203.0.113.50', { email, password: `guess ${attempt}` });
      statuses.push(last.status);
    }
    assert.deepEqual([statuses.filter((status) => status === 401).length, statuses.filter((status) => status === 429).length], [5, 45]);
    const retryAfter = Number(last!.headers.get('retry-after'));
    assert.ok(retryAfter > 0 && retryAfter <= 900, `Retry-After: ${retryAfter}`);
    const refusal = (await last!.json()) as { error: string; message: string };
    assert.equal(refusal.error, 'RATE_LIMITED');
    assert.match(refusal.message, /^Too many failed sign-in attempts for this account\. Try again in \d+ minutes?\./);

    const owner = await signIn('10.20.30.40', { email, password });
    assert.equal(owner.status, 200, 'the owner is not locked out');
    const device = cookieNamed(owner, KNOWN_DEVICE_COOKIE_NAME);
    assert.ok(device, 'the browser is remembered as a known device');

    // At the stranger's (throttled) address, e.g. the same hospital NAT: the known device gets through, others do not
    assert.equal((await signIn('203.0.113.50', { email, password })).status, 429);
    assert.equal((await signIn('203.0.113.50', { email, password }, device)).status, 200);
  });

  it('says how long to wait in seconds or minutes', () => {
    assert.match(signInErrorMessage('RATE_LIMITED', 2) ?? '', /Try again in 2 seconds\./);
    assert.match(signInErrorMessage('RATE_LIMITED', 61) ?? '', /Try again in 2 minutes\./);
    assert.match(signInErrorMessage('RATE_LIMITED', 1) ?? '', /Try again in 1 second\./);
  });
});
