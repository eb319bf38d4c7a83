// Administration through HTTP against a real node with the built portal, on
// SQLite or PostgreSQL: invitations and reset links, disabling, the facility
// boundary (404 for another facility's admin), DICOM peers registered in the
// database (a real C-ECHO to DCMTK's storescp, and echoscu associating as a
// registered calling AE), API tokens and storage usage. Every change audited.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auditQueueFor } from '../../lib/audit/audit-queue';
import { hashPassword } from '../../lib/auth';
import { createFacility, createUser } from '../../lib/policy/test-fixtures';
import { echoscu, findscu, freePort, hasDcmtk, startStorescp } from '../support/dcmtk';
import { makeInstance } from '../support/fixtures';
import { stowBody } from '../support/stow';
import { startTestServer, TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD, type TestServer } from '../support/test-server';

/** The visible text of a server-rendered page (tags and React's text separators removed), to match words in. */
async function pageText(response: Response): Promise<string> {
  const html = await response.text();
  return html
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<(style|head)[\s\S]*?<\/\1>/g, ' ').replace(/<!-- -->/g, '').replace(/<[^>]+>/g, ' ').replace(/&#x27;/g, "'").replace(/\s+/g, ' ');
}

function assertHas(text: string, pattern: RegExp): void {
  assert.ok(pattern.test(text), `expected ${pattern} in: ${text.slice(0, 600)}`);
}

const dcmtkSkip = hasDcmtk() || process.env.CI ? undefined : 'needs DCMTK (apt-get install -y dcmtk)';

describe('administration over HTTP', { timeout: 10 * 60_000 }, () => {
  let server: TestServer;
  let homeId: string;
  let adminCookie: string;
  let otherFacilityId: string;
  let otherAdminCookie: string;

  async function signIn(email: string, password: string): Promise<Response> {
    return fetch(`${server.url}/api/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
  }
  async function cookieFor(email: string, password: string): Promise<string> {
    const response = await signIn(email, password);
    assert.equal(response.status, 200, `sign-in of ${email}`);
    return (response.headers.get('set-cookie') ?? '').split(';')[0];
  }
  /** A request as the portal's own pages make it (same origin, session cookie). */
  function call(cookie: string, method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`${server.url}${path}`, {
      method,
      headers: { cookie, origin: server.url, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: 'manual',
    });
  }
  async function auditActions(filter: { facilityId?: string; action?: string }) {
    await auditQueueFor(server.node.runtime).flush();
    return server.node.db.auditEvent.findMany({ where: filter, orderBy: { at: 'asc' } });
  }

  before(async () => {
    server = await startTestServer({ portal: true, env: { DICOM_PEERS: `CONFIGURED_CT@127.0.0.1:${await freePort()}` } });
    homeId = server.node.firstRun.facilityId;
    adminCookie = await cookieFor(TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD);
    const other = await createFacility(server.node.db, 'Valley Clinic');
    otherFacilityId = other.id;
    await createUser(server.node.db, {
      email: 'admin@valley.example',
      passwordHash: await hashPassword('valley admin password'),
      memberships: [{ facilityId: other.id, role: 'ADMIN' }],
    });
    otherAdminCookie = await cookieFor('admin@valley.example', 'valley admin password');
  });
  after(async () => {
    await server?.stop();
  });

  it('invites an account of another facility: it joins with its own password, and then sees both facilities', async () => {
    const invited = await call(adminCookie, 'POST', `/api/admin/facilities/${homeId}/invitations`, { email: 'admin@valley.example', role: 'EXPERT' });
    assert.equal(invited.status, 201);
    const { path } = (await invited.json()) as { path: string };
    const token = path.split('/').at(-1)!;
    const text = await pageText(await fetch(`${server.url}${path}`));
    assertHas(text, /You already have a Telepacs account: enter its password to join/);
    assertHas(text, /Join Demo Hospital/);

    const wrong = await call('', 'POST', '/api/account-links/invitation', { token, password: 'not the valley password' });
    assert.equal(wrong.status, 400);
    assert.match(((await wrong.json()) as { fields: Record<string, string> }).fields.password ?? '', /not the password/);
    const joined = await call('', 'POST', '/api/account-links/invitation', { token, password: 'valley admin password' });
    assert.equal(joined.status, 200);
    const memberships = await server.node.db.membership.findMany({ where: { user: { email: 'admin@valley.example' } }, select: { facilityId: true, role: true } });
    assert.deepEqual(new Set(memberships.map((membership) => `${membership.facilityId}:${membership.role}`)), new Set([`${otherFacilityId}:ADMIN`, `${homeId}:EXPERT`]));
    // Undo, so the other tests keep a one-facility admin for the valley clinic
    await server.node.db.membership.deleteMany({ where: { user: { email: 'admin@valley.example' }, facilityId: homeId } });
  });

  it('invites by a one-time link; the invitee sets name and password, is signed in, and can sign in again', async () => {
    const invited = await call(adminCookie, 'POST', `/api/admin/facilities/${homeId}/invitations`, { email: 'Invitee@Demo.example', role: 'EXPERT' });
    assert.equal(invited.status, 201);
    const { path } = (await invited.json()) as { path: string };
    const token = path.split('/').at(-1)!;

    const page = await fetch(`${server.url}${path}`);
    assert.equal(page.status, 200);
    const text = await pageText(page);
    assertHas(text, /You are invited to Demo Hospital as Expert/);
    assertHas(text, /Your name Password/);
    // The email is fixed by the invitation (a read-only field)
    assertHas(await (await fetch(`${server.url}${path}`)).text(), /<input id="email"[^>]*readOnly[^>]*value="invitee@demo\.example"/);

    const accepted = await call('', 'POST', '/api/account-links/invitation', { token, name: 'Ines Invitee', password: 'ines passphrase 2026' });
    assert.equal(accepted.status, 200);
    const cookie = (accepted.headers.get('set-cookie') ?? '').split(';')[0];
    assert.match(cookie, /^telepacs_session=/);
    const home = await fetch(`${server.url}/`, { headers: { cookie } });
    assertHas(await pageText(home), /Worklist .*invitee@demo\.example Sign out/);
    assert.equal((await signIn('invitee@demo.example', 'ines passphrase 2026')).status, 200);

    // The link worked once.
    const again = await call('', 'POST', '/api/account-links/invitation', { token, name: 'Someone', password: 'another passphrase' });
    assert.equal(again.status, 410);
    assertHas(await pageText(await fetch(`${server.url}${path}`)), /already been used/);

    const members = (await (await call(adminCookie, 'GET', `/api/admin/facilities/${homeId}/members`)).json()) as { members: { email: string; roles: string[] }[] };
    assert.deepEqual(members.members.find((member) => member.email === 'invitee@demo.example')?.roles, ['EXPERT']);
    const audit = await auditActions({ facilityId: homeId });
    assert.ok(audit.some((event) => event.action === 'admin.invite_member' && event.actor === TEST_ADMIN_EMAIL));
    assert.ok(audit.some((event) => event.action === 'account.accept_invitation' && event.actor === 'invitee@demo.example'));
  });

  it('refuses an expired invitation with a clear page and 410, and invalid forms with each field named', async () => {
    const invited = await call(adminCookie, 'POST', `/api/admin/facilities/${homeId}/invitations`, { email: 'late@demo.example', role: 'REFERRING' });
    const token = ((await invited.json()) as { path: string }).path.split('/').at(-1)!;

    const invalid = await call('', 'POST', '/api/account-links/invitation', { token, name: '', password: 'short' });
    assert.equal(invalid.status, 400);
    const problems = (await invalid.json()) as { fields: Record<string, string> };
    assert.match(problems.fields.name, /Enter your name/);
    assert.match(problems.fields.password, /at least 10 characters/);

    await server.node.db.accountLink.updateMany({ where: { email: 'late@demo.example' }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const page = await fetch(`${server.url}/invite/${token}`);
    assertHas(await pageText(page), /This link has expired/);
    const refused = await call('', 'POST', '/api/account-links/invitation', { token, name: 'Late', password: 'late passphrase 1' });
    assert.equal(refused.status, 410);
    assert.equal(((await refused.json()) as { error: string }).error, 'LINK_EXPIRED');
    assert.equal(await server.node.db.user.count({ where: { email: 'late@demo.example' } }), 0);
    const refusals = await auditActions({ action: 'account.accept_invitation' });
    assert.ok(refusals.some((event) => event.outcome === 'DENIED' && JSON.parse(event.details).reason === 'LINK_EXPIRED'));

    // A withdrawn invitation stops working at once.
    const withdrawn = await call(adminCookie, 'POST', `/api/admin/facilities/${homeId}/invitations`, { email: 'withdrawn@demo.example', role: 'EXPERT' });
    const withdrawnToken = ((await withdrawn.json()) as { path: string }).path.split('/').at(-1)!;
    const row = await server.node.db.accountLink.findFirstOrThrow({ where: { email: 'withdrawn@demo.example' } });
    assert.equal((await call(otherAdminCookie, 'DELETE', `/api/admin/facilities/${homeId}/invitations/${row.id}`)).status, 404);
    assert.equal((await call(adminCookie, 'DELETE', `/api/admin/facilities/${homeId}/invitations/${row.id}`)).status, 204);
    assert.equal((await call('', 'POST', '/api/account-links/invitation', { token: withdrawnToken, name: 'W', password: 'withdrawn passphrase' })).status, 410);

    const badInvite = await call(adminCookie, 'POST', `/api/admin/facilities/${homeId}/invitations`, { email: 'nope', role: 'KING' });
    assert.equal(badInvite.status, 400);
    assert.deepEqual(Object.keys(((await badInvite.json()) as { fields: object }).fields).sort(), ['email', 'role']);
  });

  it('disabling a user ends their sessions at once; a reset link gives them a new password', async () => {
    const member = await createUser(server.node.db, {
      email: 'nurse@demo.example',
      passwordHash: await hashPassword('nurse password 1'),
      memberships: [{ facilityId: homeId, role: 'EMERGENCY' }],
    });
    const memberCookie = await cookieFor('nurse@demo.example', 'nurse password 1');
    assert.equal((await call(memberCookie, 'GET', '/api/account/api-tokens')).status, 200);

    const disabled = await call(adminCookie, 'PATCH', `/api/admin/facilities/${homeId}/members/${member.id}`, { disabled: true });
    assert.equal(disabled.status, 200);
    assert.equal(((await disabled.json()) as { sessionsEnded: number }).sessionsEnded, 1);
    assert.equal((await call(memberCookie, 'GET', '/api/account/api-tokens')).status, 401);
    assert.equal((await signIn('nurse@demo.example', 'nurse password 1')).status, 403);

    const enabled = await call(adminCookie, 'PATCH', `/api/admin/facilities/${homeId}/members/${member.id}`, { disabled: false });
    assert.equal(enabled.status, 200);
    const reset = await call(adminCookie, 'POST', `/api/admin/facilities/${homeId}/members/${member.id}/password-reset`);
    assert.equal(reset.status, 201);
    const token = ((await reset.json()) as { path: string }).path.split('/').at(-1)!;
    const used = await call('', 'POST', '/api/account-links/password-reset', { token, password: 'nurse password 2' });
    assert.equal(used.status, 200);
    assert.equal((await signIn('nurse@demo.example', 'nurse password 1')).status, 401);
    assert.equal((await signIn('nurse@demo.example', 'nurse password 2')).status, 200);

    // Nobody disables themselves; a cross-site request is refused outright.
    const self = await server.node.db.user.findUniqueOrThrow({ where: { email: TEST_ADMIN_EMAIL } });
    assert.equal((await call(adminCookie, 'PATCH', `/api/admin/facilities/${homeId}/members/${self.id}`, { disabled: true })).status, 403);
    const crossSite = await fetch(`${server.url}/api/admin/facilities/${homeId}/members/${member.id}`, {
      method: 'PATCH',
      headers: { cookie: adminCookie, origin: 'https://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ disabled: true }),
    });
    assert.equal(crossSite.status, 403);
    const actions = (await auditActions({ facilityId: homeId })).filter((event) => event.resource === `user:${member.id}`).map((event) => event.action);
    assert.deepEqual(actions, ['admin.disable_user', 'admin.enable_user', 'admin.reset_password']);
  });

  it('gives the admin of another facility, and a plain member, 404 for this facility\'s admin pages and APIs', async () => {
    const member = await server.node.db.user.findUniqueOrThrow({ where: { email: 'invitee@demo.example' } });
    const memberCookie = await cookieFor('invitee@demo.example', 'ines passphrase 2026');
    for (const cookie of [otherAdminCookie, memberCookie]) {
      for (const page of [`/admin/${homeId}`, `/admin/${homeId}/dicom-peers`, `/admin/${homeId}/storage`]) {
        const response = await call(cookie, 'GET', page);
        assert.equal(response.status, 404, page);
        // The page is streamed (its words travel in the RSC payload, rendered by the browser).
        assertHas(await response.text(), /This page does not exist, or you do not have access to it/);
      }
      const attempts: [string, string, unknown?][] = [
        ['GET', `/api/admin/facilities/${homeId}/members`],
        ['POST', `/api/admin/facilities/${homeId}/invitations`, { email: 'spy@valley.example', role: 'ADMIN' }],
        ['PATCH', `/api/admin/facilities/${homeId}/members/${member.id}`, { role: 'ADMIN' }],
        ['PATCH', `/api/admin/facilities/${homeId}/members/${member.id}`, { disabled: true }],
        ['POST', `/api/admin/facilities/${homeId}/members/${member.id}/password-reset`],
        ['GET', `/api/admin/facilities/${homeId}/dicom-peers`],
        ['POST', `/api/admin/facilities/${homeId}/dicom-peers`, { aet: 'SPY', host: '10.0.0.1', port: 104 }],
        ['GET', `/api/admin/facilities/${homeId}/storage`],
      ];
      for (const [method, path, body] of attempts) {
        assert.equal((await call(cookie, method, path, body)).status, 404, `${method} ${path}`);
      }
    }
    const denied = await auditActions({ action: 'admin.denied' });
    assert.ok(denied.some((event) => event.actor === 'admin@valley.example' && event.outcome === 'DENIED' && event.resource.includes(homeId)));
    // The Valley admin's own facility works, and its admin page cannot reach a Demo member either.
    assert.equal((await call(otherAdminCookie, 'GET', `/admin/${otherFacilityId}`)).status, 200);
    assert.equal((await call(otherAdminCookie, 'PATCH', `/api/admin/facilities/${otherFacilityId}/members/${member.id}`, { disabled: true })).status, 404);
    assert.equal((await server.node.db.user.findUniqueOrThrow({ where: { id: member.id } })).disabled, false);
    assert.equal((await server.node.db.membership.findMany({ where: { userId: member.id } })).map((row) => row.role).join(), 'EXPERT');
    // A signed-out visitor is sent to sign in.
    const signedOut = await fetch(`${server.url}/admin/${homeId}`, { redirect: 'manual' });
    assert.ok([303, 307].includes(signedOut.status));
  });

  it('registers a DICOM peer in the database: it may associate as calling AE, and a C-ECHO to it succeeds', { skip: dcmtkSkip }, async () => {
    const scp = await startStorescp({ aet: 'DB_STORESCP' });
    try {
      const before = await echoscu({ port: server.dicomPort, aet: 'TELEPACS' }, { callingAet: 'DB_STORESCP' });
      assert.notEqual(before.exitCode, 0, 'an unknown calling AE is refused');

      const invalid = await call(adminCookie, 'POST', `/api/admin/facilities/${homeId}/dicom-peers`, { aet: 'BAD\\AET', host: 'not a host', port: 70000 });
      assert.equal(invalid.status, 400);
      assert.deepEqual(Object.keys(((await invalid.json()) as { fields: object }).fields).sort(), ['aet', 'host', 'port']);
      const configured = await call(adminCookie, 'POST', `/api/admin/facilities/${homeId}/dicom-peers`, { aet: 'CONFIGURED_CT', host: '127.0.0.1', port: 104 });
      assert.equal(configured.status, 409);

      const created = await call(adminCookie, 'POST', `/api/admin/facilities/${homeId}/dicom-peers`, { aet: 'DB_STORESCP', host: '127.0.0.1', port: scp.port, description: 'test storescp' });
      assert.equal(created.status, 201);
      const { peer } = (await created.json()) as { peer: { id: string } };
      const taken = await call(otherAdminCookie, 'POST', `/api/admin/facilities/${otherFacilityId}/dicom-peers`, { aet: 'DB_STORESCP', host: '127.0.0.1', port: 104 });
      assert.equal(taken.status, 409, 'AE titles are unique across facilities');

      const echo = await call(adminCookie, 'POST', `/api/admin/facilities/${homeId}/dicom-peers/${peer.id}/echo`);
      assert.equal(echo.status, 200);
      const result = (await echo.json()) as { ok: boolean; echoMs: number; message: string };
      assert.equal(result.ok, true, JSON.stringify(result));
      assert.ok(result.echoMs >= 0);
      assert.equal(result.message, `C-ECHO succeeded in ${result.echoMs} ms`);

      const after = await echoscu({ port: server.dicomPort, aet: 'TELEPACS' }, { callingAet: 'DB_STORESCP' });
      assert.equal(after.exitCode, 0, after.stderr);

      // A peer registered by another facility stores into and searches that facility, audited there.
      const valleyPeer = await call(otherAdminCookie, 'POST', `/api/admin/facilities/${otherFacilityId}/dicom-peers`, { aet: 'VALLEY_CT', host: '127.0.0.1', port: 104 });
      assert.equal(valleyPeer.status, 201);
      const found = await findscu({ port: server.dicomPort, aet: 'TELEPACS' }, { callingAet: 'VALLEY_CT', level: 'STUDY', keys: { PatientID: '', StudyInstanceUID: '' } });
      assert.equal(found.exitCode, 0, found.stderr);
      await auditQueueFor(server.node.runtime).flush();
      const valleyFind = await server.node.db.auditEvent.findMany({ where: { actor: 'AE:VALLEY_CT' } });
      assert.ok(valleyFind.length > 0 && valleyFind.every((event) => event.facilityId === otherFacilityId), JSON.stringify(valleyFind.map((event) => [event.action, event.facilityId])));

      const listed = (await (await call(adminCookie, 'GET', `/api/admin/facilities/${homeId}/dicom-peers`)).json()) as { peers: { aet: string; source: string }[] };
      assert.deepEqual(listed.peers.map((entry) => [entry.aet, entry.source]), [['CONFIGURED_CT', 'configuration'], ['DB_STORESCP', 'database']]);
      // The other facility sees only its own peer: neither this facility's nor DICOM_PEERS.
      const valley = (await (await call(otherAdminCookie, 'GET', `/api/admin/facilities/${otherFacilityId}/dicom-peers`)).json()) as { peers: { aet: string }[] };
      assert.deepEqual(valley.peers.map((entry) => entry.aet), ['VALLEY_CT']);

      // A failed echo is a result, not an error: the configured peer listens nowhere.
      // It says no more than DICOM does: not that nothing listens on that port.
      const failed = (await (await call(adminCookie, 'POST', `/api/admin/facilities/${homeId}/dicom-peers/config%3ACONFIGURED_CT/echo`)).json()) as Record<string, unknown>;
      assert.equal(failed.ok, false);
      assert.equal(failed.message, 'No DICOM answer from this peer');
      assert.doesNotMatch(JSON.stringify(failed), /refused|listen|reach|timed out/i);

      assert.equal((await call(adminCookie, 'DELETE', `/api/admin/facilities/${homeId}/dicom-peers/${peer.id}`)).status, 204);
      const removed = await echoscu({ port: server.dicomPort, aet: 'TELEPACS' }, { callingAet: 'DB_STORESCP' });
      assert.notEqual(removed.exitCode, 0, 'a removed peer is refused at once');
      const actions = (await auditActions({ facilityId: homeId })).map((event) => event.action).filter((action) => action.includes('dicom_peer'));
      assert.deepEqual(actions, ['admin.create_dicom_peer', 'admin.echo_dicom_peer', 'admin.echo_dicom_peer', 'admin.delete_dicom_peer']);
    } finally {
      await scp.stop();
    }
  });

  it('creates an API token shown once, which works for DICOMweb until revoked', async () => {
    const created = await call(adminCookie, 'POST', '/api/account/api-tokens', { name: 'Orthanc sync', expiresInDays: '30' });
    assert.equal(created.status, 201);
    const { token } = (await created.json()) as { token: { id: string; token: string; expiresAt: string } };
    assert.match(token.token, /^tp_[0-9a-f]{12}_/);
    const bearer = { authorization: `Bearer ${token.token}` };
    assert.equal((await fetch(`${server.dicomwebUrl}/studies`, { headers: bearer })).status < 300, true);
    const listed = (await (await call(adminCookie, 'GET', '/api/account/api-tokens')).json()) as { tokens: { id: string; lastUsedAt: string | null }[] };
    assert.ok(listed.tokens.find((entry) => entry.id === token.id)?.lastUsedAt, 'last use is shown');
    assert.ok(!JSON.stringify(listed).includes(token.token), 'the secret is never listed');
    const invalid = await call(adminCookie, 'POST', '/api/account/api-tokens', { name: '', expiresInDays: '0' });
    assert.deepEqual(Object.keys(((await invalid.json()) as { fields: object }).fields).sort(), ['expiresInDays', 'name']);

    // Another user cannot revoke it.
    const nurseCookie = await cookieFor('nurse@demo.example', 'nurse password 2');
    assert.equal((await call(nurseCookie, 'DELETE', `/api/account/api-tokens/${token.id}`)).status, 404);
    assert.equal((await call(adminCookie, 'DELETE', `/api/account/api-tokens/${token.id}`)).status, 204);
    assert.equal((await fetch(`${server.dicomwebUrl}/studies`, { headers: bearer })).status, 401);
  });

  it('reports storage usage per facility from the index, with the free disk space', async () => {
    const { body, contentType } = stowBody([
      makeInstance({ patientId: 'STORE-1', seed: 'admin-storage', instanceNumber: 1 }),
      makeInstance({ patientId: 'STORE-1', seed: 'admin-storage', instanceNumber: 2 }),
    ]);
    const stored = await fetch(`${server.dicomwebUrl}/studies`, { method: 'POST', headers: { 'content-type': contentType, authorization: server.adminAuthorization }, body: new Uint8Array(body) });
    assert.equal(stored.status, 200);
    const usage = (await (await call(adminCookie, 'GET', `/api/admin/facilities/${homeId}/storage`)).json()) as {
      studies: number;
      series: number;
      instances: number;
      bytes: number;
      disk: { freeBytes: number; totalBytes: number };
    };
    const sizes = await server.node.db.instance.aggregate({ _sum: { size: true } });
    assert.deepEqual([usage.studies, usage.series, usage.instances], [1, 1, 2]);
    assert.equal(usage.bytes, sizes._sum.size);
    assert.ok(usage.disk.freeBytes > 0 && usage.disk.totalBytes >= usage.disk.freeBytes);
    const valley = (await (await call(otherAdminCookie, 'GET', `/api/admin/facilities/${otherFacilityId}/storage`)).json()) as { instances: number; bytes: number };
    assert.deepEqual([valley.instances, valley.bytes], [0, 0]);
    const page = await call(adminCookie, 'GET', `/admin/${homeId}/storage`);
    assertHas(await pageText(page), /free of/);
  });
});
