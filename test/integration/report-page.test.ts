// What the report page is given (lib/reports/open-report-page.ts): nothing
// but "not found" for those who may not read reports, the templates to start
// from for a writer without a report, the template's pick lists and the
// patient's other studies (priors) once a report exists, the instances to
// pick key images from only for the author's editable draft. Real database
// (SQLite, or PostgreSQL with TEST_DATABASE=postgres).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auditQueueFor } from '../../lib/audit/audit-queue';
import { authContextFor } from '../../lib/auth/test-context';
import { createFacility, createStudy, createUser } from '../../lib/policy/test-fixtures';
import type { Principal } from '../../lib/policy/principal';
import { createReport } from '../../lib/reports/create-report';
import { openReportPage } from '../../lib/reports/open-report-page';
import type { ReportContext } from '../../lib/reports/report-types';
import { seedDefaultTemplates } from '../../lib/reports/templates/seed-default-templates';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

describe('the report page', () => {
  let testDb: TestDatabase;
  let context: ReportContext;
  const people: Record<string, Principal> = {};
  let studyUid = '';
  let priorUid = '';

  before(async () => {
    testDb = await createTestDatabase();
    context = authContextFor(testDb);
    const facility = await createFacility(testDb.db, 'Valley Hospital');
    const other = await createFacility(testDb.db, 'Hill Clinic');
    const roles = { expert: [{ facilityId: facility.id, role: 'EXPERT' as const }], referrer: [{ facilityId: facility.id, role: 'REFERRING' as const }], emergency: [{ facilityId: facility.id, role: 'EMERGENCY' as const }], outsider: [{ facilityId: other.id, role: 'EXPERT' as const }] };
    for (const [name, memberships] of Object.entries(roles)) {
      const user = await createUser(testDb.db, { email: `${name}@report-page.example`, passwordHash: 'x', memberships });
      people[name] = { userId: user.id, email: user.email, ip: '10.8.0.1' };
    }
    const study = await createStudy(testDb.db, facility.id);
    studyUid = study.studyInstanceUid;
    priorUid = (await testDb.db.study.create({ data: { facilityId: facility.id, patientRef: study.patientRef, studyInstanceUid: `${studyUid}.9`, description: 'Prior CT' } })).studyInstanceUid;
    await seedDefaultTemplates(testDb.db);
  });
  after(async () => {
    await auditQueueFor(context).flush(true);
    await testDb.cleanup();
  });

  it('answers NOT_FOUND to those who may not read reports, and nothing to read to a referrer before a report', async () => {
    for (const who of ['emergency', 'outsider']) {
      await assert.rejects(openReportPage(context, people[who], studyUid), (error: { code?: string }) => error.code === 'NOT_FOUND', who);
    }
    const referrer = await openReportPage(context, people.referrer, studyUid);
    assert.equal(referrer.report, null);
    assert.equal(referrer.mayWrite, false);
    assert.deepEqual(referrer.templates, []);
  });

  it('offers a writer the templates, then gives the draft with its pick lists, priors and images', async () => {
    const start = await openReportPage(context, people.expert, studyUid);
    assert.equal(start.report, null);
    assert.ok(start.templates.some((template) => template.name === 'CT chest'));
    const templateId = start.templates.find((template) => template.name === 'CT chest')!.id;
    await createReport(context, people.expert, studyUid, { templateId });

    const editing = await openReportPage(context, people.expert, studyUid);
    assert.equal(editing.report?.version.editable, true);
    assert.deepEqual(editing.templates, []);
    assert.deepEqual(editing.pickLists.impression?.options, ['Normal', 'Minor findings', 'Significant findings', 'Urgent: communicate now']);
    assert.deepEqual(editing.priors.map((prior) => prior.studyInstanceUid), [priorUid]);
    assert.ok(Array.isArray(editing.series));

    // The referrer does not see a colleague's draft
    assert.equal((await openReportPage(context, people.referrer, studyUid)).report, null);
  });
});
