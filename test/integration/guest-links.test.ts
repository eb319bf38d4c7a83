// One-time guest links through the HTTP contract: the host's API (route
// handlers called as Next would), the guest's "Join" POST and its session
// cookie, then what that cookie opens on a running node — the consultation's
// study over DICOMweb and the /consult socket — and what it does not: the
// patient's other studies, storing images, anything once the consultation ends.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { io as connect } from 'socket.io-client';
import { GET as listRoute, POST as createRoute } from '../../app/api/consultations/[id]/guest-links/route';
import { DELETE as revokeRoute } from '../../app/api/consultations/[id]/guest-links/[linkId]/route';
import { POST as joinRoute } from '../../app/guest/[token]/join/route';
import { auditQueueFor } from '../../lib/audit/audit-queue';
import { SESSION_COOKIE_NAME, createSession } from '../../lib/auth';
import { startConsultation } from '../../lib/consult/consultations';
import { endConsultation } from '../../lib/consult/end-consultation';
import { createFacility, createUser } from '../../lib/policy/test-fixtures';
import { CONSULT_NAMESPACE } from '../../lib/realtime/events';
import { consentNotRequiredFor } from '../support/consent';
import { makeStudy } from '../support/fixtures';
import { stowBody } from '../support/stow';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from '../support/test-server';

type Json = Record<string, unknown>;

describe('guest links over HTTP, DICOMweb and the /consult socket', () => {
  let server: TestServer;
  let consultationId: string;
  let adminCookie: string;
  let expertCookie: string;
  let guestCookie: string;
  const consulted = makeStudy({ patientId: 'GUEST-1', patientName: 'Guest^Gina', accessionNumber: 'G-C', series: 1, instancesPerSeries: 2, seed: 'guest-consulted' });
  const earlier = makeStudy({ patientId: 'GUEST-1', patientName: 'Guest^Gina', accessionNumber: 'G-E', studyDate: '20190101', series: 1, instancesPerSeries: 1, seed: 'guest-earlier' });
  const [series1] = consulted.seriesInstanceUids;
  const sop = consulted.sopInstanceUids[0][0];

  async function cookieFor(email: string): Promise<string> {
    const user = await server.node.db.user.findUniqueOrThrow({ where: { email } });
    return `${SESSION_COOKIE_NAME}=${(await createSession(server.node.db, { userId: user.id, ttlHours: 1 })).token}`;
  }

  /** A route handler called as Next would: same-origin, with the session cookie (if any). */
  function request(path: string, method: string, options: { cookie?: string; body?: unknown; crossOrigin?: boolean } = {}): Request {
    const url = new URL(path, server.url);
    const headers: Record<string, string> = { host: url.host, 'content-type': 'application/json', 'user-agent': 'guest-test' };
    if (method !== 'GET') headers.origin = options.crossOrigin ? 'https://evil.example' : url.origin;
    if (options.cookie) headers.cookie = options.cookie;
    return new Request(url, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  }
  const linksPath = () => `/api/consultations/${consultationId}/guest-links`;
  const params = <T extends Record<string, string>>(value: T) => ({ params: Promise.resolve(value) });
  const createLink = (cookie: string | undefined, body: unknown, id = consultationId) => createRoute(request(linksPath(), 'POST', { cookie, body }), params({ id }));
  const join = (token: string, options: { crossOrigin?: boolean; cookie?: string } = {}) => joinRoute(request(`/guest/${token}/join`, 'POST', options), params({ token }));
  const dicomweb = (path: string, cookie: string, init: RequestInit = {}) =>
    fetch(`${server.dicomwebUrl}${path}`, { ...init, headers: { cookie, ...(init.headers as Record<string, string> | undefined) } });
  const tokenOf = (path: string) => path.split('/').at(-1)!;

  function socketAdmitted(cookie: string): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = connect(`${server.url}${CONSULT_NAMESPACE}`, { transports: ['websocket'], reconnection: false, extraHeaders: { cookie } });
      socket.on('connect', () => {
        socket.close();
        resolve(true);
      });
      socket.on('connect_error', () => {
        socket.close();
        resolve(false);
      });
    });
  }

  before(async () => {
    server = await startTestServer();
    const db = server.node.db;
    for (const file of [...consulted, ...earlier]) {
      await server.node.archive.ingest(file, { kind: 'import', source: 'guest-test' }, server.node.firstRun.facilityId);
    }
    // The facility invites guests to its teleconsultations: no consent can name a guest, so its
    // admin does not require consent for teleconsultations (which also covers Valley's expert)
    await consentNotRequiredFor(db, server.node.firstRun.facilityId, ['TELECONSULTATION']);
    const valley = await createFacility(db, 'Valley Clinic');
    await createUser(db, { email: 'expert@valley.example', memberships: [{ facilityId: valley.id, role: 'EXPERT' }] });
    const admin = await db.user.findUniqueOrThrow({ where: { email: TEST_ADMIN_EMAIL } });
    ({ id: consultationId } = await startConsultation(
      { db },
      { userId: admin.id, email: admin.email, ip: '127.0.0.1' },
      { studyInstanceUid: consulted.studyInstanceUid, invitees: ['expert@valley.example'], title: 'Chest CT, second opinion' },
    ));
    adminCookie = await cookieFor(TEST_ADMIN_EMAIL);
    expertCookie = await cookieFor('expert@valley.example');
  });
  after(async () => {
    await server?.stop();
  });

  it('lets the host make, list and withdraw guest links; a participant or an unknown id gets 404, no session 401', async () => {
    const created = await createLink(adminCookie, { guestName: 'Dr Remote', guestEmail: 'remote@uni.example', hours: 4 });
    assert.equal(created.status, 201);
    const link = (await created.json()) as Json;
    assert.match(String(link.url), /^\/guest\/[A-Za-z0-9_-]{43}$/, 'site-relative without PUBLIC_URL');
    assert.equal(link.path, link.url);
    assert.ok(Math.abs(Date.parse(String(link.expiresAt)) - Date.now() - 4 * 3600_000) < 60_000);

    const invalid = await createLink(adminCookie, { guestName: '', hours: 100 });
    assert.equal(invalid.status, 400);
    assert.deepEqual(Object.keys(((await invalid.json()) as { fields: Json }).fields).sort(), ['guestName', 'hours']);

    const listed = await listRoute(request(linksPath(), 'GET', { cookie: adminCookie }), params({ id: consultationId }));
    assert.equal(listed.status, 200);
    const text = await listed.text();
    assert.ok(!text.includes(tokenOf(String(link.path))) && !text.includes('tokenHash'), 'a list never holds a token or its hash');
    assert.deepEqual((JSON.parse(text) as { links: Json[] }).links.map((row) => [row.guestName, row.guestEmail, row.state]), [['Dr Remote', 'remote@uni.example', 'OPEN']]);

    // The invited expert takes part, but guest links are the host's
    assert.equal((await createLink(expertCookie, { guestName: 'X' })).status, 404);
    assert.equal((await listRoute(request(linksPath(), 'GET', { cookie: expertCookie }), params({ id: consultationId }))).status, 404);
    assert.equal((await revokeRoute(request(`${linksPath()}/${String(link.id)}`, 'DELETE', { cookie: expertCookie }), params({ id: consultationId, linkId: String(link.id) }))).status, 404);
    assert.equal((await createLink(adminCookie, { guestName: 'X' }, 'no-such-consultation')).status, 404);
    assert.equal((await createLink(undefined, { guestName: 'X' })).status, 401);
    assert.equal((await createRoute(request(linksPath(), 'POST', { cookie: adminCookie, body: { guestName: 'X' }, crossOrigin: true }), params({ id: consultationId }))).status, 403);

    const revoked = await revokeRoute(request(`${linksPath()}/${String(link.id)}`, 'DELETE', { cookie: adminCookie }), params({ id: consultationId, linkId: String(link.id) }));
    assert.equal(revoked.status, 204);
    const gone = await join(tokenOf(String(link.path)));
    assert.equal(gone.status, 410);
    assert.deepEqual(await gone.json(), { error: 'LINK_REVOKED', message: 'This guest link was withdrawn by the person who sent it.' });
  });

  it('signs the guest in with one POST, once; the cookie reads the consultation study and nothing else', async () => {
    const created = (await (await createLink(adminCookie, { guestName: 'Dr Guest' })).json()) as { path: string };
    const token = tokenOf(created.path);
    assert.equal((await join(token, { crossOrigin: true })).status, 403, 'a join from another site is refused');

    const joined = await join(token);
    assert.equal(joined.status, 200);
    const linkRow = await server.node.db.consultationGuestLink.findFirstOrThrow({ where: { guestName: 'Dr Guest' } });
    assert.deepEqual(await joined.json(), { path: `/consultations/${consultationId}`, expiresAt: linkRow.expiresAt.toISOString() });
    const setCookie = joined.headers.get('set-cookie') ?? '';
    assert.match(setCookie, new RegExp(`^${SESSION_COOKIE_NAME}=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Lax`));
    guestCookie = setCookie.split(';')[0];

    const again = await join(token);
    assert.equal(again.status, 410);
    assert.deepEqual(await again.json(), { error: 'LINK_USED', message: 'This guest link has already been used. Ask the person who invited you for a new one.' });
    const unknown = await join('B'.repeat(43));
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as Json).error, 'LINK_INVALID');

    const search = await dicomweb('/studies?PatientID=GUEST-1', guestCookie);
    assert.equal(search.status, 200);
    assert.deepEqual(((await search.json()) as { '0020000D': { Value: string[] } }[]).map((study) => study['0020000D'].Value[0]), [consulted.studyInstanceUid]);
    assert.equal(((await (await dicomweb(`/studies/${consulted.studyInstanceUid}/metadata`, guestCookie)).json()) as unknown[]).length, 2);
    assert.equal((await dicomweb(`/studies/${consulted.studyInstanceUid}/series/${series1}/instances/${sop}/frames/1`, guestCookie)).status, 200);
    assert.equal((await dicomweb(`/studies/${earlier.studyInstanceUid}/metadata`, guestCookie)).status, 404);
    assert.equal((await dicomweb(`/studies/${earlier.studyInstanceUid}/series`, guestCookie)).status, 404);

    // A guest stores nothing (no facility)
    const { body, contentType } = stowBody(makeStudy({ patientId: 'GUEST-2', series: 1, instancesPerSeries: 1, seed: 'guest-stow' }));
    const stow = await dicomweb('/studies', guestCookie, { method: 'POST', headers: { 'content-type': contentType, origin: server.url }, body: new Uint8Array(body) });
    assert.equal(stow.status, 403);

    assert.equal(await socketAdmitted(guestCookie), true, 'the guest may open the /consult socket while the consultation is open');

    await auditQueueFor(server.node.runtime).flush();
    const guest = await server.node.db.user.findFirstOrThrow({ where: { guest: true, name: 'Dr Guest' } });
    const events = await server.node.db.auditEvent.findMany({ where: { actorUserId: guest.id } });
    assert.ok(events.some((event) => event.action === 'consult.guest_link.use' && event.outcome === 'SUCCESS' && event.patientId === 'GUEST-1'));
    assert.ok(events.some((event) => event.action === 'dicomweb.qido'), 'the guest’s reads are audited like anyone’s');
  });

  it('ends everything for the guest when the consultation ends: DICOMweb, the socket, the remaining links', async () => {
    const spare = (await (await createLink(adminCookie, { guestName: 'Dr Spare' })).json()) as { path: string };
    const admin = await server.node.db.user.findUniqueOrThrow({ where: { email: TEST_ADMIN_EMAIL } });
    await endConsultation(server.node.db, { userId: admin.id, email: admin.email, ip: '127.0.0.1' }, consultationId);

    assert.equal((await dicomweb(`/studies/${consulted.studyInstanceUid}/metadata`, guestCookie)).status, 401, 'the guest session is over');
    assert.equal(await socketAdmitted(guestCookie), false);
    const late = await join(tokenOf(spare.path));
    assert.equal(late.status, 410);
    assert.equal(((await late.json()) as Json).error, 'LINK_ENDED');
    assert.equal((await createLink(adminCookie, { guestName: 'X' })).status, 409);
    // The invited expert's grant ended too; the host's facility still reads its study.
    assert.equal((await dicomweb(`/studies/${consulted.studyInstanceUid}/metadata`, expertCookie)).status, 404);
    assert.equal((await dicomweb(`/studies/${consulted.studyInstanceUid}/metadata`, adminCookie)).status, 200);
  });
});
