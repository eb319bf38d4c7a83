// Issue 13 part 1 over HTTP against a real node with the built portal (SQLite
// or PostgreSQL): the node administration API and pages answer node
// administrators only (404 for a facility admin, a member, an outsider, each
// refusal audited); forms answer per field; disabling a facility changes its
// member's landing page on the next request; logos are served to members;
// the acting facility is chosen with one PUT and shown in the header; a
// service's second-opinion turnaround (issue 15) is set, refused per field
// and shown on the Services tab; its emergency transfer settings and a
// member's on-call status (issue 17) likewise.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auditQueueFor } from '../../lib/audit/audit-queue';
import { hashPassword } from '../../lib/auth';
import { createUser } from '../../lib/policy/test-fixtures';
import { startTestServer, TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD, type TestServer } from '../support/test-server';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010800000000376ef9240000000a49444154789c636000000002000148afa4710000000049454e44ae426082', 'hex');

async function pageText(response: Response): Promise<string> {
  const html = await response.text();
  return html
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<(style|head)[\s\S]*?<\/\1>/g, ' ')
    .replace(/<!-- -->/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;/g, "'")
    .replace(/\s+/g, ' ');
}

describe('facilities and services over HTTP', { timeout: 10 * 60_000 }, () => {
  let server: TestServer;
  let homeId: string;
  let valleyId: string;
  const cookies: Record<'node' | 'valleyAdmin' | 'member' | 'outsider' | 'both', string> = { node: '', valleyAdmin: '', member: '', outsider: '', both: '' };
  const ids: Record<string, string> = {};

  async function cookieFor(email: string, password: string): Promise<string> {
    const response = await fetch(`${server.url}/api/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    assert.equal(response.status, 200, `sign-in of ${email}`);
    return (response.headers.get('set-cookie') ?? '').split(';')[0];
  }
  function call(cookie: string, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Response> {
    const raw = body instanceof Uint8Array;
    return fetch(`${server.url}${path}`, {
      method,
      headers: { cookie, origin: server.url, ...(body === undefined ? {} : { 'content-type': contentType }) },
      body: body === undefined ? undefined : raw ? new Blob([new Uint8Array(body)]) : JSON.stringify(body),
      redirect: 'manual',
    });
  }
  async function person(key: keyof typeof cookies, email: string, memberships: { facilityId: string; role: 'ADMIN' | 'EXPERT' | 'REFERRING' }[]) {
    const user = await createUser(server.node.db, { email, passwordHash: await hashPassword(`${email} password`), memberships });
    ids[key] = user.id;
    cookies[key] = await cookieFor(email, `${email} password`);
  }

  before(async () => {
    server = await startTestServer({ portal: true });
    homeId = server.node.firstRun.facilityId;
    cookies.node = await cookieFor(TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD);
  });
  after(async () => {
    await server?.stop();
  });

  it('creates a facility for a node administrator, with per-field errors for a wrong form', async () => {
    const wrong = await call(cookies.node, 'POST', '/api/admin/node/facilities', { code: 'x', name: '' });
    assert.equal(wrong.status, 400);
    const { fields } = (await wrong.json()) as { fields: Record<string, string> };
    assert.deepEqual(Object.keys(fields).sort(), ['code', 'name']);
    assert.match(fields.code, /2 to 16 characters/);

    const created = await call(cookies.node, 'POST', '/api/admin/node/facilities', { code: 'VALLEY', name: 'Valley Clinic', phone: '+41 21 000 00 00' });
    assert.equal(created.status, 201);
    valleyId = ((await created.json()) as { id: string }).id;
    assert.equal((await call(cookies.node, 'POST', '/api/admin/node/facilities', { code: 'valley', name: 'Again' })).status, 409);

    await person('valleyAdmin', 'admin@valley.example', [{ facilityId: valleyId, role: 'ADMIN' }]);
    await person('member', 'member@valley.example', [{ facilityId: valleyId, role: 'REFERRING' }]);
    await person('outsider', 'outsider@home.example', [{ facilityId: homeId, role: 'EXPERT' }]);
    await person('both', 'both@region.example', [
      { facilityId: homeId, role: 'EXPERT' },
      { facilityId: valleyId, role: 'REFERRING' },
    ]);

    const listed = (await (await call(cookies.node, 'GET', '/api/admin/node/facilities')).json()) as { facilities: { code: string; members: number }[] };
    assert.deepEqual(listed.facilities.map((facility) => [facility.code, facility.members]), [['DEMO', 3], ['VALLEY', 3]]);
    const page = await pageText(await call(cookies.node, 'GET', '/admin/node'));
    assert.match(page, /Node administration Facilities Other nodes Facilities \(2\) .*Demo Hospital DEMO Active 3 0 .*Valley Clinic VALLEY Active 3 0/);
  });

  it('answers 404 to everyone but node administrators, and audits each refusal', async () => {
    for (const who of ['valleyAdmin', 'member', 'outsider'] as const) {
      assert.equal((await call(cookies[who], 'GET', '/api/admin/node/facilities')).status, 404, who);
      assert.equal((await call(cookies[who], 'POST', '/api/admin/node/facilities', { code: 'MINE', name: 'Mine' })).status, 404, who);
      assert.equal((await call(cookies[who], 'PATCH', `/api/admin/node/facilities/${valleyId}`, { disabled: true })).status, 404, who);
      assert.equal((await call(cookies[who], 'PUT', `/api/admin/node/facilities/${valleyId}/logo`, new Uint8Array(PNG), 'image/png')).status, 404, who);
      assert.equal((await call(cookies[who], 'POST', '/api/admin/node/node-admins', { email: 'member@valley.example' })).status, 404, who);
      assert.equal((await call(cookies[who], 'GET', '/admin/node')).status, 404, who);
      assert.equal((await call(cookies[who], 'GET', '/admin/node/federation')).status, 404, who);
    }
    await auditQueueFor(server.node.runtime).flush();
    const denied = await server.node.db.auditEvent.findMany({ where: { action: 'admin.denied', actorUserId: ids.member } });
    assert.deepEqual(
      denied.map((event) => [event.outcome, JSON.parse(event.details).operation]),
      [
        ['DENIED', 'list facilities'],
        ['DENIED', 'create facility'],
        ['DENIED', 'change facility'],
        ['DENIED', 'set facility logo'],
        ['DENIED', 'grant node admin'],
      ],
    );
    assert.equal(await server.node.db.facility.count(), 2);
  });

  it('refuses to remove the last node administrator (403) and says why', async () => {
    const refused = await call(cookies.node, 'DELETE', `/api/admin/node/node-admins/${(await server.node.db.user.findUniqueOrThrow({ where: { email: TEST_ADMIN_EMAIL } })).id}`);
    assert.equal(refused.status, 403);
    assert.match(((await refused.json()) as { message: string }).message, /last node administrator/);
  });

  it("lets the facility's admin manage services (the Services tab); members and outsiders get 404", async () => {
    const base = `/api/admin/facilities/${valleyId}/services`;
    const created = await call(cookies.valleyAdmin, 'POST', base, { name: 'Stroke unit', code: 'STROKE' });
    assert.equal(created.status, 201);
    const serviceId = ((await created.json()) as { id: string }).id;
    assert.equal((await call(cookies.member, 'POST', base, { name: 'Mine' })).status, 404);
    assert.equal((await call(cookies.outsider, 'GET', base)).status, 404);
    const notMember = await call(cookies.valleyAdmin, 'POST', `${base}/${serviceId}/members`, { userId: ids.outsider });
    assert.equal(notMember.status, 400);
    assert.match(((await notMember.json()) as { fields: Record<string, string> }).fields.userId, /member of this facility/);
    assert.equal((await call(cookies.valleyAdmin, 'POST', `${base}/${serviceId}/members`, { userId: ids.member })).status, 201);
    const page = await pageText(await call(cookies.valleyAdmin, 'GET', `/admin/${valleyId}/services`));
    assert.match(page, /Users Services Report templates Consent DICOM peers HL7 Storage .*Services \(1\) .*Stroke unit \(STROKE\) .*Test User \(member@valley\.example\) Put on call Remove/);
    assert.equal((await call(cookies.member, 'GET', `/admin/${valleyId}/services`)).status, 404);
  });

  it("sets a service's second-opinion turnaround in whole minutes (stat ≤ urgent ≤ routine): read back, shown on the tab, audited; refused per field", async () => {
    const base = `/api/admin/facilities/${valleyId}/services`;
    type Turnaround = { turnaroundStatMinutes: number; turnaroundUrgentMinutes: number; turnaroundRoutineMinutes: number };
    const stroke = async (): Promise<Turnaround & { id: string }> => {
      const { services } = (await (await call(cookies.valleyAdmin, 'GET', base)).json()) as { services: (Turnaround & { id: string; name: string })[] };
      const { id, turnaroundStatMinutes, turnaroundUrgentMinutes, turnaroundRoutineMinutes } = services.find((service) => service.name === 'Stroke unit')!;
      return { id, turnaroundStatMinutes, turnaroundUrgentMinutes, turnaroundRoutineMinutes };
    };
    const { id: serviceId, ...defaults } = await stroke();
    assert.deepEqual(defaults, { turnaroundStatMinutes: 60, turnaroundUrgentMinutes: 360, turnaroundRoutineMinutes: 4320 }, 'stat 1 h, urgent 6 h, routine 3 days until changed');

    const set = await call(cookies.valleyAdmin, 'PATCH', `${base}/${serviceId}`, { turnaroundUrgentMinutes: 240, turnaroundRoutineMinutes: 2880 });
    assert.deepEqual([set.status, await set.json()], [200, { status: 'updated' }]);
    const changed = { turnaroundStatMinutes: 60, turnaroundUrgentMinutes: 240, turnaroundRoutineMinutes: 2880 };
    assert.deepEqual(await stroke(), { id: serviceId, ...changed });
    assert.match(await pageText(await call(cookies.valleyAdmin, 'GET', `/admin/${valleyId}/services`)), /Stroke unit \(STROKE\) .*Turnaround: stat 1 h · urgent 4 h · routine 2 d/);

    const refusals: [unknown, Record<string, RegExp>][] = [
      // Both sent: the longer one is the one to fix
      [{ turnaroundStatMinutes: 120, turnaroundUrgentMinutes: 90 }, { turnaroundUrgentMinutes: /^Urgent: not shorter than stat \(2 h\)$/ }],
      // One sent: checked against what is stored
      [{ turnaroundStatMinutes: 300 }, { turnaroundStatMinutes: /^Stat: not longer than urgent \(4 h\)$/ }],
      [{ turnaroundRoutineMinutes: 180 }, { turnaroundRoutineMinutes: /^Routine: not shorter than urgent \(4 h\)$/ }],
      [{ turnaroundUrgentMinutes: '240' }, { turnaroundUrgentMinutes: /^Urgent: enter a number$/ }],
      [{ turnaroundRoutineMinutes: null }, { turnaroundRoutineMinutes: /^Routine: enter a number$/ }],
      [{ turnaroundStatMinutes: 30.5 }, { turnaroundStatMinutes: /^Stat: whole minutes$/ }],
      [
        { turnaroundStatMinutes: 4, turnaroundUrgentMinutes: 7 * 1440 + 1, turnaroundRoutineMinutes: 59 },
        {
          turnaroundStatMinutes: /^Stat: between 5 minutes and 24 hours$/,
          turnaroundUrgentMinutes: /^Urgent: between 15 minutes and 7 days$/,
          turnaroundRoutineMinutes: /^Routine: between 1 hour and 60 days$/,
        },
      ],
      [{ turnaroundStatMinutes: 1441 }, { turnaroundStatMinutes: /^Stat: between 5 minutes and 24 hours$/ }],
      [{ turnaroundUrgentMinutes: 14 }, { turnaroundUrgentMinutes: /^Urgent: between 15 minutes and 7 days$/ }],
      [{ turnaroundRoutineMinutes: 60 * 1440 + 1 }, { turnaroundRoutineMinutes: /^Routine: between 1 hour and 60 days$/ }],
    ];
    for (const [body, expected] of refusals) {
      const refused = await call(cookies.valleyAdmin, 'PATCH', `${base}/${serviceId}`, body);
      assert.equal(refused.status, 400, JSON.stringify(body));
      const { error, fields } = (await refused.json()) as { error: string; fields: Record<string, string> };
      assert.equal(error, 'INVALID_INPUT');
      assert.deepEqual(Object.keys(fields).sort(), Object.keys(expected).sort(), JSON.stringify(body));
      for (const [field, message] of Object.entries(expected)) assert.match(fields[field], message);
    }
    assert.deepEqual(await stroke(), { id: serviceId, ...changed }, 'nothing refused was stored');
    // The limits themselves are allowed, and equal turnarounds are in order
    assert.equal((await call(cookies.valleyAdmin, 'PATCH', `${base}/${serviceId}`, { turnaroundStatMinutes: 1440, turnaroundUrgentMinutes: 1440, turnaroundRoutineMinutes: 1440 })).status, 200);
    assert.equal((await call(cookies.valleyAdmin, 'PATCH', `${base}/${serviceId}`, { turnaroundStatMinutes: 5, turnaroundUrgentMinutes: 15, turnaroundRoutineMinutes: 60 * 1440 })).status, 200);
    assert.equal((await call(cookies.valleyAdmin, 'PATCH', `${base}/${serviceId}`, changed)).status, 200);

    // A pair out of order by a hand edit of the database does not block other changes
    await server.node.db.service.update({ where: { id: serviceId }, data: { turnaroundStatMinutes: 500 } });
    assert.equal((await call(cookies.valleyAdmin, 'PATCH', `${base}/${serviceId}`, { description: 'Acute stroke imaging' })).status, 200);
    assert.equal((await call(cookies.valleyAdmin, 'PATCH', `${base}/${serviceId}`, { turnaroundStatMinutes: 60 })).status, 200);

    // Outsiders to its administration: 404, nothing changed
    for (const who of ['member', 'outsider'] as const) assert.equal((await call(cookies[who], 'PATCH', `${base}/${serviceId}`, { turnaroundStatMinutes: 30 })).status, 404, who);
    assert.deepEqual(await stroke(), { id: serviceId, ...changed });

    await auditQueueFor(server.node.runtime).flush();
    const updates = await server.node.db.auditEvent.findMany({ where: { action: 'admin.service.update', resource: `service:${serviceId}` }, orderBy: { at: 'asc' } });
    assert.deepEqual(JSON.parse(updates[0].details), {
      before: { name: 'Stroke unit', code: 'STROKE', description: '', disabled: false, turnaroundStatMinutes: 60, turnaroundUrgentMinutes: 360, turnaroundRoutineMinutes: 4320, transferEscalationMinutes: 2, transferAccessHours: 24 },
      change: { turnaroundUrgentMinutes: 240, turnaroundRoutineMinutes: 2880 },
    });
    assert.equal(updates.length, 6, 'one per accepted change, none for the refusals');
    assert.deepEqual(JSON.parse(updates[5].details).change, { turnaroundStatMinutes: 60 });
    assert.equal(JSON.parse(updates[5].details).before.turnaroundStatMinutes, 500);
  });

  it("sets a service's emergency transfer settings and a member's on-call status over HTTP: shown on the tab, refused per field; 404 and audited for anyone else", async () => {
    const base = `/api/admin/facilities/${valleyId}/services`;
    const { services } = (await (await call(cookies.valleyAdmin, 'GET', base)).json()) as {
      services: { id: string; name: string; transferEscalationMinutes: number; transferAccessHours: number; members: { userId: string; onCall: boolean }[] }[];
    };
    const stroke = services.find((service) => service.name === 'Stroke unit')!;
    assert.deepEqual([stroke.transferEscalationMinutes, stroke.transferAccessHours, stroke.members.map((member) => member.onCall)], [2, 24, [false]]);

    const set = await call(cookies.valleyAdmin, 'PATCH', `${base}/${stroke.id}`, { transferEscalationMinutes: 10, transferAccessHours: 72 });
    assert.deepEqual([set.status, await set.json()], [200, { status: 'updated' }]);
    const refused = await call(cookies.valleyAdmin, 'PATCH', `${base}/${stroke.id}`, { transferEscalationMinutes: 0, transferAccessHours: 200 });
    assert.equal(refused.status, 400);
    const { error, fields } = (await refused.json()) as { error: string; fields: Record<string, string> };
    assert.deepEqual([error, fields], [
      'INVALID_INPUT',
      { transferEscalationMinutes: 'Escalate after: between 1 and 60 minutes', transferAccessHours: 'Images readable for: between 1 and 168 hours (7 days)' },
    ]);

    const memberUrl = `${base}/${stroke.id}/members/${ids.member}`;
    const onCall = await call(cookies.valleyAdmin, 'PATCH', memberUrl, { onCall: true });
    assert.deepEqual([onCall.status, await onCall.json()], [200, { status: 'updated', onCall: true, changed: true }]);
    const wrong = await call(cookies.valleyAdmin, 'PATCH', memberUrl, { onCall: 'yes' });
    assert.deepEqual([wrong.status, ((await wrong.json()) as { fields: Record<string, string> }).fields], [400, { onCall: 'onCall: true or false' }]);
    assert.equal((await call(cookies.valleyAdmin, 'PATCH', `${base}/${stroke.id}/members/${ids.outsider}`, { onCall: true })).status, 404, 'not in the service');
    assert.match(
      await pageText(await call(cookies.valleyAdmin, 'GET', `/admin/${valleyId}/services`)),
      /Emergency transfers: unacknowledged alarm escalates after 10 min · images readable 72 h after arrival .*Test User \(member@valley\.example\) · on call Take off call Remove/,
    );

    // Members and outsiders: 404, nothing changed, each refusal audited
    await auditQueueFor(server.node.runtime).flush();
    const deniedBefore = await server.node.db.auditEvent.count({ where: { action: 'admin.denied', actorUserId: ids.outsider } });
    for (const who of ['member', 'outsider'] as const) {
      assert.equal((await call(cookies[who], 'PATCH', `${base}/${stroke.id}`, { transferEscalationMinutes: 1 })).status, 404, who);
      assert.equal((await call(cookies[who], 'PATCH', memberUrl, { onCall: false })).status, 404, who);
    }
    const reread = (await (await call(cookies.valleyAdmin, 'GET', base)).json()) as { services: typeof services };
    const stored = reread.services.find((service) => service.id === stroke.id)!;
    assert.deepEqual([stored.transferEscalationMinutes, stored.transferAccessHours, stored.members.map((member) => member.onCall)], [10, 72, [true]]);
    await auditQueueFor(server.node.runtime).flush();
    const denied = await server.node.db.auditEvent.findMany({ where: { action: 'admin.denied', actorUserId: ids.outsider }, orderBy: { at: 'asc' } });
    assert.deepEqual(
      denied.slice(deniedBefore).map((event) => [event.outcome, JSON.parse(event.details).operation]),
      [
        ['DENIED', 'change service'],
        ['DENIED', 'change on-call status'],
      ],
    );
    const changes = await server.node.db.auditEvent.findMany({ where: { action: 'admin.service.member.on_call', resource: `service:${stroke.id}` } });
    assert.deepEqual(changes.map((event) => JSON.parse(event.details)), [{ userId: ids.member, onCall: true, before: false }]);
  });

  it('serves the logo to members and node administrators, refuses what is not a PNG or JPEG', async () => {
    const bad = await call(cookies.node, 'PUT', `/api/admin/node/facilities/${valleyId}/logo`, new Uint8Array(Buffer.from('GIF89a not allowed')), 'image/gif');
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { fields: Record<string, string> }).fields.logo, /PNG or JPEG/);
    assert.equal((await call(cookies.node, 'PUT', `/api/admin/node/facilities/${valleyId}/logo`, new Uint8Array(PNG), 'image/png')).status, 200);
    const served = await call(cookies.member, 'GET', `/api/facilities/${valleyId}/logo`);
    assert.equal(served.status, 200);
    assert.equal(served.headers.get('content-type'), 'image/png');
    assert.deepEqual(Buffer.from(await served.arrayBuffer()), PNG);
    assert.equal((await call(cookies.outsider, 'GET', `/api/facilities/${valleyId}/logo`)).status, 404);
  });

  it('shows and switches the facility a person acts for in the header', async () => {
    const before = await (await call(cookies.both, 'GET', '/')).text();
    assert.match(before, /<option value="[^"]+" selected="">Demo Hospital<\/option>/);
    assert.equal((await call(cookies.both, 'PUT', '/api/account/acting-facility', { facilityId: valleyId })).status, 200);
    assert.match(await (await call(cookies.both, 'GET', '/')).text(), /<option value="[^"]+" selected="">Valley Clinic<\/option>/);
    assert.equal((await call(cookies.outsider, 'PUT', '/api/account/acting-facility', { facilityId: valleyId })).status, 404);
    assert.equal((await call(cookies.both, 'PUT', '/api/account/acting-facility', {})).status, 400);
    await auditQueueFor(server.node.runtime).flush();
    const worklistViews = await server.node.db.auditEvent.findMany({ where: { action: 'portal.worklist', actorUserId: ids.both }, orderBy: { at: 'asc' } });
    assert.deepEqual(worklistViews.map((event) => event.facilityId), [homeId, valleyId], 'each worklist view recorded under the facility acted for');
  });

  it("disables a facility: its member's next page shows no facility and no study, its admin's pages are 404; enabling gives them back", async () => {
    assert.match(await pageText(await call(cookies.member, 'GET', '/')), /Valley Clinic .*member@valley\.example/);
    const disabled = await call(cookies.node, 'PATCH', `/api/admin/node/facilities/${valleyId}`, { disabled: true });
    assert.deepEqual([disabled.status, await disabled.json()], [200, { status: 'disabled' }]);
    const landing = await pageText(await call(cookies.member, 'GET', '/'));
    assert.match(landing, /You are not a member of any active facility/);
    assert.doesNotMatch(landing, /Valley Clinic/);
    assert.equal((await call(cookies.valleyAdmin, 'GET', `/admin/${valleyId}`)).status, 404);
    assert.equal((await call(cookies.valleyAdmin, 'GET', `/api/admin/facilities/${valleyId}/members`)).status, 404);
    assert.equal((await call(cookies.member, 'GET', `/api/facilities/${valleyId}/logo`)).status, 404);
    assert.match(await pageText(await call(cookies.node, 'GET', '/admin/node')), /Valley Clinic VALLEY Disabled since/);

    assert.equal((await call(cookies.node, 'PATCH', `/api/admin/node/facilities/${valleyId}`, { disabled: false })).status, 200);
    assert.match(await pageText(await call(cookies.member, 'GET', '/')), /Valley Clinic .*member@valley\.example/);
  });
});
