// The reporting routes as a page's fetch calls them (same-origin, session
// cookie): statuses and JSON answers of the lifecycle, its refusals, and the
// template administration. Real server parts, real database.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { POST as addendumRoute } from '../../app/api/reports/[id]/addendum/route';
import { POST as amendRoute } from '../../app/api/reports/[id]/amend/route';
import { GET as getRoute, PUT as saveRoute } from '../../app/api/reports/[id]/route';
import { POST as signRoute } from '../../app/api/reports/[id]/sign/route';
import { GET as listTemplatesRoute } from '../../app/api/facilities/[facilityId]/report-templates/route';
import { POST as createTemplateRoute } from '../../app/api/admin/facilities/[facilityId]/report-templates/route';
import { PATCH as patchTemplateRoute } from '../../app/api/admin/facilities/[facilityId]/report-templates/[templateId]/route';
import { GET as listReportsRoute, POST as createReportRoute } from '../../app/api/studies/[uid]/reports/route';
import { SESSION_COOKIE_NAME, createSession, hashPassword } from '../../lib/auth';
import { createFacility, createStudy, createUser } from '../../lib/policy/test-fixtures';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from '../support/test-server';

const PASSWORD = 'reports api password';

interface ReportAnswer {
  id: string;
  status: string;
  revision: number;
  version: { version: number; status: string; sections: { key: string; text: string }[]; contentSha256: string | null; superseded: boolean };
}

describe('reporting API', () => {
  let server: TestServer;
  let facilityId: string;
  let studyUid: string;
  const users = { admin: '', expert: '', referrer: '', outsider: '' };

  async function call(method: string, path: string, userId: string, body?: unknown): Promise<Request> {
    const url = new URL(path, server.url);
    const { token } = await createSession(server.node.db, { userId, ttlHours: 1 });
    const headers = { origin: url.origin, host: url.host, cookie: `${SESSION_COOKIE_NAME}=${token}`, 'content-type': 'application/json' };
    return new Request(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  }
  const id = (value: string) => ({ params: Promise.resolve({ id: value }) });

  before(async () => {
    server = await startTestServer();
    const db = server.node.db;
    users.admin = (await db.user.findUniqueOrThrow({ where: { email: TEST_ADMIN_EMAIL } })).id;
    facilityId = (await db.membership.findFirstOrThrow({ where: { userId: users.admin } })).facilityId;
    const passwordHash = await hashPassword(PASSWORD);
    users.expert = (await createUser(db, { email: 'expert@api.example', passwordHash, memberships: [{ facilityId, role: 'EXPERT' }] })).id;
    users.referrer = (await createUser(db, { email: 'referrer@api.example', passwordHash, memberships: [{ facilityId, role: 'REFERRING' }] })).id;
    const other = await createFacility(db, 'Other Clinic');
    users.outsider = (await createUser(db, { email: 'expert@other.example', passwordHash, memberships: [{ facilityId: other.id, role: 'EXPERT' }] })).id;
    studyUid = (await createStudy(db, facilityId)).studyInstanceUid;
  });
  after(async () => {
    await server?.stop();
  });

  it('writes, signs and amends a report through the routes, with clear refusals', async () => {
    const templates = (await (await listTemplatesRoute(await call('GET', `/api/facilities/${facilityId}/report-templates`, users.expert), { params: Promise.resolve({ facilityId }) })).json()) as { templates: { id: string; name: string }[] };
    const templateId = templates.templates.find((template) => template.name === 'CT chest')!.id;
    const uid = { params: Promise.resolve({ uid: studyUid }) };
    assert.equal((await createReportRoute(await call('POST', `/api/studies/${studyUid}/reports`, users.outsider, { templateId }), uid)).status, 404);
    const created = await createReportRoute(await call('POST', `/api/studies/${studyUid}/reports`, users.expert, { templateId }), uid);
    assert.equal(created.status, 201);
    const { report } = (await created.json()) as { report: ReportAnswer };
    assert.equal((await createReportRoute(await call('POST', `/api/studies/${studyUid}/reports`, users.expert, { templateId }), uid)).status, 200, 'the existing one');

    const saved = await saveRoute(await call('PUT', `/api/reports/${report.id}`, users.expert, { baseRevision: report.revision, sections: [{ key: 'impression', text: 'Пневмония справа.' }] }), id(report.id));
    assert.equal(saved.status, 200);
    const { revision } = (await saved.json()) as ReportAnswer;
    const stale = await saveRoute(await call('PUT', `/api/reports/${report.id}`, users.expert, { baseRevision: report.revision, sections: [{ key: 'impression', text: 'other tab' }] }), id(report.id));
    assert.equal(stale.status, 409);
    assert.equal(((await stale.json()) as { error: string }).error, 'CONFLICT');

    const wrong = await signRoute(await call('POST', `/api/reports/${report.id}/sign`, users.expert, { baseRevision: revision, password: 'nope' }), id(report.id));
    assert.equal(wrong.status, 400);
    assert.equal(((await wrong.json()) as { fields: { password: string } }).fields.password, 'That is not your password');
    const signed = await signRoute(await call('POST', `/api/reports/${report.id}/sign`, users.expert, { baseRevision: revision, password: PASSWORD }), id(report.id));
    assert.equal(signed.status, 200);
    const final = (await signed.json()) as ReportAnswer;
    assert.equal(final.status, 'FINAL');

    const read = (await (await getRoute(await call('GET', `/api/reports/${report.id}`, users.referrer), id(report.id))).json()) as ReportAnswer;
    assert.equal(read.version.sections.find((section) => section.key === 'impression')?.text, 'Пневмония справа.');
    assert.equal((await getRoute(await call('GET', `/api/reports/${report.id}?version=x`, users.referrer), id(report.id))).status, 404);
    assert.equal((await getRoute(await call('GET', `/api/reports/${report.id}`, users.outsider), id(report.id))).status, 404);
    const listed = (await (await listReportsRoute(await call('GET', `/api/studies/${studyUid}/reports`, users.referrer), uid)).json()) as { reports: { status: string }[]; mayWrite: boolean };
    assert.deepEqual([listed.reports.map((entry) => entry.status), listed.mayWrite], [['FINAL'], false]);

    const noReason = await amendRoute(await call('POST', `/api/reports/${report.id}/amend`, users.expert, { baseRevision: final.revision }), id(report.id));
    assert.equal(noReason.status, 400);
    assert.equal(((await noReason.json()) as { error: string }).error, 'REASON_REQUIRED');
    const amendment = await amendRoute(await call('POST', `/api/reports/${report.id}/amend`, users.expert, { baseRevision: final.revision, reason: 'Side corrected', sections: [{ key: 'impression', text: 'Пневмония слева.' }] }), id(report.id));
    assert.equal(amendment.status, 201);
    const open = (await amendment.json()) as ReportAnswer;
    const second = await addendumRoute(await call('POST', `/api/reports/${report.id}/addendum`, users.expert, { baseRevision: open.revision, reason: 'x' }), id(report.id));
    assert.equal(second.status, 409, 'one open version at a time');
    const amended = (await (await signRoute(await call('POST', `/api/reports/${report.id}/sign`, users.expert, { baseRevision: open.revision, password: PASSWORD }), id(report.id))).json()) as ReportAnswer;
    assert.equal(amended.status, 'AMENDED');
    const first = (await (await getRoute(await call('GET', `/api/reports/${report.id}?version=1`, users.referrer), id(report.id))).json()) as ReportAnswer;
    assert.equal(first.version.superseded, true);
  });

  it('lets the facility admin manage templates: no sections is a 400 naming the field; others get 404', async () => {
    const params = { params: Promise.resolve({ facilityId }) };
    const empty = await createTemplateRoute(await call('POST', `/api/admin/facilities/${facilityId}/report-templates`, users.admin, { name: 'Empty', sections: [] }), params);
    assert.equal(empty.status, 400);
    assert.equal(((await empty.json()) as { fields: { sections: string } }).fields.sections, 'A template needs at least one section');
    const body = { name: 'MR knee', modality: 'MR', sections: [{ key: 'findings', title: 'Findings' }] };
    assert.equal((await createTemplateRoute(await call('POST', `/api/admin/facilities/${facilityId}/report-templates`, users.expert, body), params)).status, 404);
    const created = await createTemplateRoute(await call('POST', `/api/admin/facilities/${facilityId}/report-templates`, users.admin, body), params);
    assert.equal(created.status, 201);
    const { template } = (await created.json()) as { template: { id: string } };
    const retired = await patchTemplateRoute(await call('PATCH', `/api/admin/facilities/${facilityId}/report-templates/${template.id}`, users.admin, { retired: true }), { params: Promise.resolve({ facilityId, templateId: template.id }) });
    assert.equal(((await retired.json()) as { template: { retired: boolean } }).template.retired, true);
  });

  it("names the wrong input inside a section (for the admin page's form), brings a retired template back, and keeps the shipped ones read-only", async () => {
    const params = { params: Promise.resolve({ facilityId }) };
    const url = `/api/admin/facilities/${facilityId}/report-templates`;
    const offered = async () =>
      ((await (await listTemplatesRoute(await call('GET', `/api/facilities/${facilityId}/report-templates`, users.expert), params)).json()) as { templates: { id: string; name: string }[] }).templates;
    const wrong = await createTemplateRoute(
      await call('POST', url, users.admin, { name: 'US thyroid', sections: [{ key: 'findings', title: 'Findings' }, { key: 'Bad key', title: 'Impression', pickList: { label: 'TI-RADS', options: ['TR1'] } }] }),
      params,
    );
    assert.equal(wrong.status, 400);
    const { fields } = (await wrong.json()) as { fields: Record<string, string> };
    assert.equal(fields['sections.1.key'], 'A section key is lower-case letters, digits and _');
    assert.equal(fields['sections.1.pickList.options'], 'A pick list needs at least two options');
    assert.ok(fields.sections, 'the list as a whole is named too');

    const created = await createTemplateRoute(await call('POST', url, users.admin, { name: 'US thyroid', modality: 'US', bodyRegion: 'NECK', sections: [{ key: 'findings', title: 'Findings' }] }), params);
    const { template } = (await created.json()) as { template: { id: string } };
    const patch = async (body: unknown, templateId = template.id) =>
      patchTemplateRoute(await call('PATCH', `${url}/${templateId}`, users.admin, body), { params: Promise.resolve({ facilityId, templateId }) });
    await patch({ retired: true });
    assert.ok(!(await offered()).some((offer) => offer.id === template.id), 'retired: not offered');
    const back = await patch({ retired: false });
    assert.equal(((await back.json()) as { template: { retired: boolean } }).template.retired, false);
    assert.ok((await offered()).some((offer) => offer.id === template.id), 'brought back: offered again');

    const shipped = (await offered()).find((offer) => offer.name === 'CT head')!;
    assert.equal((await patch({ name: 'My CT head' }, shipped.id)).status, 404, 'a shipped template cannot be edited (copy it instead)');
  });
});
