// Co-signature through its routes, as the report page calls them: the author
// lists the colleagues who may sign, sends the report, the colleague finds it
// in "waiting for your signature" and reaches POST /sign; a withdrawal
// through DELETE; an outsider gets 404. A running node (SQLite, or PostgreSQL
// with TEST_DATABASE=postgres); the real sign route and producer are not
// needed here (report-cosignature.test.ts and report-signing.test.ts cover them),
// so the signature is checked up to its password refusal and through lib.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GET as awaitingRoute } from '../../app/api/reports/awaiting-signature/route';
import { DELETE as withdrawRoute, GET as colleaguesRoute, POST as requestRoute } from '../../app/api/reports/[id]/signature-request/route';
import { GET as getRoute } from '../../app/api/reports/[id]/route';
import { POST as signRoute } from '../../app/api/reports/[id]/sign/route';
import { SESSION_COOKIE_NAME, createSession, hashPassword } from '../../lib/auth';
import { createFacility, createStudy, createUser } from '../../lib/policy/test-fixtures';
import { createReport } from '../../lib/reports/create-report';
import { saveDraft } from '../../lib/reports/save-draft';
import { getRuntime } from '../../lib/runtime';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from '../support/test-server';

const PASSWORD = 'cosignature api password';

describe('co-signature API', () => {
  let server: TestServer;
  let facilityId: string;
  const users: Record<'author' | 'senior' | 'outsider', { id: string; email: string }> = { author: { id: '', email: '' }, senior: { id: '', email: '' }, outsider: { id: '', email: '' } };

  async function call(method: string, path: string, who: keyof typeof users, body?: unknown): Promise<Request> {
    const url = new URL(path, server.url);
    const { token } = await createSession(server.node.db, { userId: users[who].id, ttlHours: 1 });
    const headers = { origin: url.origin, host: url.host, cookie: `${SESSION_COOKIE_NAME}=${token}`, 'content-type': 'application/json' };
    return new Request(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  }
  const id = (value: string) => ({ params: Promise.resolve({ id: value }) });

  before(async () => {
    server = await startTestServer();
    const db = server.node.db;
    facilityId = (await db.membership.findFirstOrThrow({ where: { user: { email: TEST_ADMIN_EMAIL } } })).facilityId;
    const passwordHash = await hashPassword(PASSWORD);
    const other = await createFacility(db, 'Other Clinic');
    for (const [who, membership] of [['author', { facilityId, role: 'EXPERT' as const }], ['senior', { facilityId, role: 'EXPERT' as const }], ['outsider', { facilityId: other.id, role: 'EXPERT' as const }]] as const) {
      const user = await createUser(db, { email: `${who}@cosign-api.example`, name: `Dr ${who}`, passwordHash, memberships: [membership] });
      users[who] = { id: user.id, email: user.email };
    }
  });
  after(async () => {
    await server?.stop();
  });

  it('lists colleagues, sends, shows the request to the colleague, who reaches the signature; withdraws; refuses outsiders', async () => {
    const study = await createStudy(server.node.db, facilityId);
    const principal = { userId: users.author.id, email: users.author.email, ip: '10.5.0.1' };
    const { report } = await createReport(getRuntime(), principal, study.studyInstanceUid, { templateId: (await server.node.db.reportTemplate.findFirstOrThrow({ where: { defaultKey: 'ct-head' } })).id });
    const saved = await saveDraft(getRuntime(), principal, report.id, { baseRevision: report.revision, sections: [{ key: 'impression', text: 'Normal.' }] });
    const path = `/api/reports/${report.id}/signature-request`;

    const colleagues = (await (await colleaguesRoute(await call('GET', path, 'author'), id(report.id))).json()) as { colleagues: { id: string; name: string }[] };
    assert.ok(colleagues.colleagues.some((colleague) => colleague.id === users.senior.id && colleague.name === 'Dr senior'));
    assert.ok(!colleagues.colleagues.some((colleague) => colleague.id === users.outsider.id || colleague.id === users.author.id));
    assert.equal((await colleaguesRoute(await call('GET', path, 'outsider'), id(report.id))).status, 404);

    const refused = await requestRoute(await call('POST', path, 'author', { baseRevision: saved.revision, signerUserId: users.outsider.id }), id(report.id));
    assert.equal(refused.status, 400);
    assert.match(((await refused.json()) as { fields: Record<string, string> }).fields.signerUserId, /cannot sign reports on this study/);

    const sent = await requestRoute(await call('POST', path, 'author', { baseRevision: saved.revision, signerUserId: users.senior.id }), id(report.id));
    assert.equal(sent.status, 200, await sent.clone().text());
    const sentView = (await sent.json()) as { revision: number; signatureRequest: { signer: { name: string } } };
    assert.equal(sentView.signatureRequest.signer.name, 'Dr senior');

    const waiting = (await (await awaitingRoute(await call('GET', '/api/reports/awaiting-signature', 'senior'))).json()) as { reports: { reportId: string; author: { name: string } }[] };
    assert.deepEqual(waiting.reports.map((entry) => [entry.reportId, entry.author.name]), [[report.id, 'Dr author']]);
    const seen = (await (await getRoute(await call('GET', `/api/reports/${report.id}`, 'senior'), id(report.id))).json()) as { maySign: boolean; version: { editable: boolean } };
    assert.deepEqual([seen.maySign, seen.version.editable], [true, false]);
    assert.equal((await getRoute(await call('GET', `/api/reports/${report.id}`, 'outsider'), id(report.id))).status, 404);
    const wrongPassword = await signRoute(await call('POST', `/api/reports/${report.id}/sign`, 'senior', { baseRevision: sentView.revision, password: 'nope' }), id(report.id));
    assert.equal(wrongPassword.status, 400, 'the colleague reaches the signature: their password is checked');

    const withdrawn = await withdrawRoute(await call('DELETE', path, 'author', { baseRevision: sentView.revision }), id(report.id));
    assert.equal(withdrawn.status, 200);
    assert.equal(((await withdrawn.json()) as { report: { signatureRequest: unknown } }).report.signatureRequest, null);
    assert.equal((await getRoute(await call('GET', `/api/reports/${report.id}`, 'senior'), id(report.id))).status, 404, 'the draft is the author’s alone again');
    const none = (await (await awaitingRoute(await call('GET', '/api/reports/awaiting-signature', 'senior'))).json()) as { reports: unknown[] };
    assert.deepEqual(none.reports, []);
  });
});
