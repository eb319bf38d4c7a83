// A second opinion ends in a signed report (issue 15): the expert who has the
// case writes the case's own report on its primary study — beside the study's
// own report — and its first signature completes the case in the same
// transaction; the grants end except the reporting expert's on the primary
// study; a case handed on or cancelled meanwhile refuses the signature.
// Real database (SQLite, or PostgreSQL with TEST_DATABASE=postgres).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readableStudyIds } from '../../pacs-core/index/readable-studies';
import { auditQueueFor } from '../../lib/audit/audit-queue';
import { hashPassword } from '../../lib/auth';
import { authContextFor } from '../../lib/auth/test-context';
import { createFacility, createStudy, createUser } from '../../lib/policy/test-fixtures';
import type { Principal } from '../../lib/policy/principal';
import { readScopeFor } from '../../lib/policy/read-scope';
import { createReferral } from '../../lib/referrals/create-referral';
import { getReferral } from '../../lib/referrals/get-referral';
import { transitionReferral } from '../../lib/referrals/transition-referral';
import { createReport } from '../../lib/reports/create-report';
import { openReportPage } from '../../lib/reports/open-report-page';
import type { ReportContext } from '../../lib/reports/report-types';
import { saveDraft } from '../../lib/reports/save-draft';
import { signReport } from '../../lib/reports/sign-report';
import { withoutArtifacts } from '../../lib/reports/signed-artifacts';
import { seedDefaultTemplates } from '../../lib/reports/templates/seed-default-templates';
import { permitSharing } from '../support/consent';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const PASSWORD = 'second opinion test password';

describe('the report of a second-opinion case', () => {
  let testDb: TestDatabase;
  let context: ReportContext;
  let clinic: string;
  let serviceId: string;
  let templateId: string;
  const people: Record<string, Principal> = {};

  const sign = (who: Principal, reportId: string, body: unknown) => signReport({ ...context, produceSignedArtifacts: withoutArtifacts }, who, reportId, body);
  async function refusal(work: Promise<unknown>): Promise<{ code: string; userMessage?: string }> {
    try {
      await work;
    } catch (error) {
      return error as { code: string; userMessage?: string };
    }
    assert.fail('expected a refusal');
  }
  const reads = async (who: Principal, studyId: string) => (await readableStudyIds(testDb.db, await readScopeFor(testDb.db, who.userId), [studyId])).has(studyId);

  /** A stat case on a new study (and a prior), sent to the service and claimed by the expert */
  async function claimedCase() {
    const study = await createStudy(testDb.db, clinic);
    const prior = await testDb.db.study.create({ data: { facilityId: clinic, patientRef: study.patientRef, studyInstanceUid: `${study.studyInstanceUid}.9` } });
    await permitSharing(testDb.db, study.patientRef, { recordedById: people.doctor.userId });
    const { id } = await createReferral(context, people.doctor, { studyInstanceUids: [study.studyInstanceUid, prior.studyInstanceUid], question: 'Dense MCA sign?', priority: 'STAT', addressee: { serviceId } });
    await transitionReferral(context, people.expert, id, { action: 'claim' });
    return { id, study, prior };
  }

  before(async () => {
    testDb = await createTestDatabase();
    context = authContextFor(testDb);
    const passwordHash = await hashPassword(PASSWORD);
    clinic = (await createFacility(testDb.db, 'District clinic')).id;
    const regional = (await createFacility(testDb.db, 'Regional hospital')).id;
    serviceId = (await testDb.db.service.create({ data: { facilityId: regional, name: 'Neuroradiology' } })).id;
    const roles = {
      doctor: [{ facilityId: clinic, role: 'REFERRING' as const }],
      localExpert: [{ facilityId: clinic, role: 'EXPERT' as const }],
      expert: [{ facilityId: regional, role: 'EXPERT' as const }],
      colleague: [{ facilityId: regional, role: 'EXPERT' as const }],
    };
    for (const [name, memberships] of Object.entries(roles)) {
      const user = await createUser(testDb.db, { email: `${name.toLowerCase()}@referral-report.example`, name: `Dr ${name}`, passwordHash, memberships });
      people[name] = { userId: user.id, email: user.email, ip: '10.9.0.1' };
    }
    for (const member of [people.expert, people.colleague]) await testDb.db.serviceMember.create({ data: { serviceId, userId: member.userId } });
    await seedDefaultTemplates(testDb.db);
    templateId = (await testDb.db.reportTemplate.findUniqueOrThrow({ where: { defaultKey: 'ct-head' } })).id;
  });
  after(async () => {
    await auditQueueFor(context).flush(true);
    await testDb.cleanup();
  });

  it('is written beside the study’s own report, starts the case, and its signature completes the case; the expert keeps reading the primary study only', async () => {
    const { id, study, prior } = await claimedCase();
    // The clinic's own expert reports the study first: the second opinion is a second report
    const own = await createReport(context, people.localExpert, study.studyInstanceUid, { templateId });
    assert.equal(own.created, true);

    const page = await openReportPage(context, people.expert, study.studyInstanceUid, { referralId: id });
    assert.equal(page.report, null, 'the case has no report yet (the study’s own is not it)');
    assert.equal(page.mayWrite, true);
    assert.ok(page.templates.length > 0, 'templates of the expert’s own facility are offered');

    const created = await createReport(context, people.expert, study.studyInstanceUid, { templateId, referralId: id });
    assert.equal(created.created, true);
    assert.notEqual(created.report.id, own.report.id);
    assert.equal((await getReferral(context, people.doctor, id)).status, 'IN_PROGRESS', 'starting the report started the case');
    assert.equal((await refusal(createReport(context, people.colleague, study.studyInstanceUid, { templateId, referralId: id }))).code, 'NOT_FOUND', 'a service colleague no longer takes part once claimed');

    const saved = await saveDraft(context, people.expert, created.report.id, { baseRevision: created.report.revision, sections: [{ key: 'impression', text: 'Hyperdense left MCA; no haemorrhage.' }] });
    await sign(people.expert, saved.id, { baseRevision: saved.revision, password: PASSWORD });

    const done = await getReferral(context, people.doctor, id);
    assert.equal(done.status, 'COMPLETED');
    assert.deepEqual(done.report, { id: saved.id, status: 'FINAL' });
    assert.ok(done.completedAt);
    assert.deepEqual(done.events.map((event) => event.action), ['create', 'send', 'claim', 'start', 'complete']);
    assert.deepEqual(done.actions, ['close'], 'the doctor may now close it');
    assert.equal(await reads(people.expert, study.id), true, 'the reporting expert keeps the study they reported');
    assert.equal(await reads(people.expert, prior.id), false, 'but not the prior');

    await transitionReferral(context, people.doctor, id, { action: 'close' });
    assert.equal((await getReferral(context, people.expert, id)).status, 'CLOSED', 'the reporting expert still sees the closed case');
    assert.equal(await reads(people.expert, study.id), true);
    await auditQueueFor(context).flush();
    const actions = (await testDb.db.auditEvent.findMany({ where: { resource: `referral:${id}` }, orderBy: { at: 'asc' }, select: { action: true, facilityId: true } }));
    assert.ok(actions.some((row) => row.action === 'referral.complete' && row.facilityId === clinic), 'completion audited for the requesting facility');
  });

  it('refuses the signature when the case was cancelled meanwhile, and nothing is signed', async () => {
    const { id, study } = await claimedCase();
    const created = await createReport(context, people.expert, study.studyInstanceUid, { templateId, referralId: id });
    const saved = await saveDraft(context, people.expert, created.report.id, { baseRevision: created.report.revision, sections: [{ key: 'impression', text: 'Normal.' }] });
    await transitionReferral(context, people.doctor, id, { action: 'cancel', reason: 'patient transferred' });
    const refused = await refusal(sign(people.expert, saved.id, { baseRevision: saved.revision, password: PASSWORD }));
    assert.equal(refused.code, 'NOT_FOUND', 'the cancelled case’s grant ended: the expert no longer reaches the report');
    const report = await testDb.db.report.findUniqueOrThrow({ where: { id: saved.id }, select: { status: true, publishedVersion: true } });
    assert.deepEqual(report, { status: 'DRAFT', publishedVersion: null });
    assert.equal((await getReferral(context, people.doctor, id)).status, 'CANCELLED');
  });

  it('refuses the case’s report to anyone but the expert who has it, and a report on a study that is not the case’s', async () => {
    const { id, prior } = await claimedCase();
    assert.equal((await refusal(createReport(context, people.doctor, prior.studyInstanceUid, { templateId, referralId: id }))).code, 'NOT_FOUND', 'the primary study only');
    const other = await createStudy(testDb.db, clinic);
    assert.equal((await refusal(openReportPage(context, people.expert, other.studyInstanceUid, { referralId: id }))).code, 'NOT_FOUND');
    assert.equal((await refusal(createReport(context, people.localExpert, prior.studyInstanceUid, { templateId, referralId: id }))).code, 'NOT_FOUND', 'a non-party gets NOT_FOUND');
  });
});
