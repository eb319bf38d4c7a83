// Reporting core (issue 14): who writes and reads a study's report, the
// lifecycle draft → preliminary → signed → amended/addendum, signing with the
// password (refused and throttled like sign-in), racing signatures, and the
// "written together or not at all" hook. Real database (SQLite, or
// PostgreSQL with TEST_DATABASE=postgres), real password hashes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auditQueueFor } from '../../lib/audit/audit-queue';
import { hashPassword } from '../../lib/auth';
import { authContextFor } from '../../lib/auth/test-context';
import { grantStudyRead, revokeGrants } from '../../lib/grants';
import { createFacility, createStudy, createUser } from '../../lib/policy/test-fixtures';
import type { Principal } from '../../lib/policy/principal';
import { addAddendum } from '../../lib/reports/add-addendum';
import { amendReport } from '../../lib/reports/amend-report';
import { contentSha256 } from '../../lib/reports/canonical-content';
import { createReport } from '../../lib/reports/create-report';
import { getReport } from '../../lib/reports/get-report';
import { listReportsForStudy } from '../../lib/reports/list-reports-for-study';
import { makePreliminary } from '../../lib/reports/make-preliminary';
import type { ReportContext } from '../../lib/reports/report-types';
import type { ReportView } from '../../lib/reports/report-view';
import { saveDraft } from '../../lib/reports/save-draft';
import { signReport, type SignContext } from '../../lib/reports/sign-report';
import { withoutArtifacts, type ProduceSignedArtifacts } from '../../lib/reports/signed-artifacts';
import { createReportTemplate } from '../../lib/reports/templates/create-report-template';
import { listReportTemplates } from '../../lib/reports/templates/list-report-templates';
import { seedDefaultTemplates } from '../../lib/reports/templates/seed-default-templates';
import { updateReportTemplate } from '../../lib/reports/templates/update-report-template';
import { permitSharing } from '../support/consent';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const PASSWORD = 'reports test password';

describe('reporting core', () => {
  let testDb: TestDatabase;
  let context: ReportContext;
  let facilityId: string;
  let otherFacilityId: string;
  let studyUid: string;
  const people: Record<string, Principal> = {};
  let templateId: string;

  const sign = (who: Principal, reportId: string, body: unknown, produce: ProduceSignedArtifacts = withoutArtifacts) =>
    signReport({ ...context, produceSignedArtifacts: produce } satisfies SignContext, who, reportId, body);
  /** The code of a refused operation (it must be refused) */
  async function refusal(work: Promise<unknown>): Promise<string> {
    try {
      await work;
    } catch (error) {
      return (error as { code: string }).code;
    }
    assert.fail('expected a refusal');
  }
  /** A fresh study with a report written up to its impression, by the expert */
  async function writtenReport(text = 'No acute abnormality.'): Promise<ReportView> {
    const study = await createStudy(testDb.db, facilityId);
    const { report } = await createReport(context, people.expert, study.studyInstanceUid, { templateId });
    return saveDraft(context, people.expert, report.id, { baseRevision: report.revision, sections: [{ key: 'impression', text }] });
  }

  before(async () => {
    testDb = await createTestDatabase();
    context = authContextFor(testDb);
    const passwordHash = await hashPassword(PASSWORD);
    const valley = await createFacility(testDb.db, 'Valley Hospital');
    const hill = await createFacility(testDb.db, 'Hill Clinic');
    facilityId = valley.id;
    otherFacilityId = hill.id;
    const roles = {
      expert: [{ facilityId, role: 'EXPERT' as const }],
      colleague: [{ facilityId, role: 'EXPERT' as const }],
      admin: [{ facilityId, role: 'ADMIN' as const }],
      referrer: [{ facilityId, role: 'REFERRING' as const }],
      emergency: [{ facilityId, role: 'EMERGENCY' as const }],
      outsider: [{ facilityId: otherFacilityId, role: 'EXPERT' as const }],
      remoteExpert: [{ facilityId: otherFacilityId, role: 'EXPERT' as const }],
    };
    for (const [name, memberships] of Object.entries(roles)) {
      const user = await createUser(testDb.db, { email: `${name.toLowerCase()}@reports.example`, passwordHash, memberships });
      people[name] = { userId: user.id, email: user.email, ip: `10.9.0.${Object.keys(people).length + 1}` };
    }
    const study = await createStudy(testDb.db, facilityId);
    studyUid = study.studyInstanceUid;
    await seedDefaultTemplates(testDb.db);
    templateId = (await testDb.db.reportTemplate.findUniqueOrThrow({ where: { defaultKey: 'ct-head' } })).id;
  });
  after(async () => {
    await auditQueueFor(context).flush(true);
    await testDb.cleanup();
  });

  it('ships the six default templates once, with the five sections and a severity pick list', async () => {
    assert.equal(await seedDefaultTemplates(testDb.db), 0, 'a second start writes nothing');
    const templates = await listReportTemplates(context, people.expert, facilityId);
    assert.deepEqual(templates.map((template) => template.name).sort(), ['CT chest', 'CT head', 'Chest radiograph', 'Generic', 'MR brain', 'US abdomen']);
    const ctHead = templates.find((template) => template.name === 'CT head')!;
    assert.deepEqual(ctHead.sections.map((section) => section.title), ['Clinical information', 'Technique', 'Comparison', 'Findings', 'Impression']);
    assert.ok(ctHead.sections.find((section) => section.key === 'impression')?.pickList?.options.includes('Normal'));
  });

  it('takes an expert from draft to preliminary to a signed FINAL, readable by the referrer only once released', async () => {
    const { created, report } = await createReport(context, people.expert, studyUid, { templateId });
    assert.equal(created, true);
    assert.equal(report.status, 'DRAFT');
    assert.equal((await createReport(context, people.expert, studyUid, { templateId })).report.id, report.id, 'a second create returns the same report');
    assert.equal(await refusal(createReport(context, people.colleague, studyUid, { templateId })), 'CONFLICT', "a colleague meets the author's draft");
    assert.equal(await refusal(getReport(context, people.referrer, report.id)), 'NOT_FOUND', 'a draft is its author’s alone');
    assert.equal(await refusal(getReport(context, people.colleague, report.id)), 'NOT_FOUND');

    const saved = await saveDraft(context, people.expert, report.id, {
      baseRevision: report.revision,
      sections: [{ key: 'findings', text: 'Без острых изменений. Čistý nález.' }, { key: 'impression', text: 'Норма.', pick: 'Normal' }],
      keyImages: [{ seriesUid: '1.2.3', sopUid: '1.2.3.4', frame: 1 }],
    });
    assert.equal(saved.revision, report.revision + 1);
    const preliminary = await makePreliminary(context, people.expert, report.id, { baseRevision: saved.revision });
    assert.equal(preliminary.status, 'PRELIMINARY');
    const read = await getReport(context, people.referrer, report.id);
    assert.equal(read.status, 'PRELIMINARY');
    assert.equal(read.version.sections.find((section) => section.key === 'findings')?.text, 'Без острых изменений. Čistý nález.', 'Cyrillic and diacritics round-trip');
    assert.equal(read.mayWrite, false);

    const signed = await sign(people.expert, report.id, { baseRevision: preliminary.revision, password: PASSWORD });
    assert.equal(signed.status, 'FINAL');
    assert.match(signed.version.contentSha256 ?? '', /^[0-9a-f]{64}$/);
    assert.equal(signed.version.signedBy?.id, people.expert.userId);
    assert.equal(await refusal(saveDraft(context, people.expert, report.id, { baseRevision: signed.revision, sections: [{ key: 'impression', text: 'changed' }] })), 'CONFLICT', 'signed content is locked');
    assert.equal((await getReport(context, people.referrer, report.id)).status, 'FINAL');
    const listed = await listReportsForStudy(context, people.referrer, studyUid);
    assert.deepEqual(listed.reports.map((entry) => entry.status), ['FINAL']);
    await auditQueueFor(context).flush();
    const actions = (await testDb.db.auditEvent.findMany({ where: { resource: `report:${report.id}` }, orderBy: { at: 'asc' } })).map((row) => row.action);
    for (const action of ['report.create', 'report.save', 'report.preliminary', 'report.sign', 'report.view']) assert.ok(actions.includes(action), action);
  });

  it('hides reports from outsiders and other roles (404), opens them to a granted expert of another facility until the grant is revoked', async () => {
    const report = await writtenReport();
    for (const who of ['outsider', 'emergency', 'remoteExpert']) {
      assert.equal(await refusal(listReportsForStudy(context, people[who], report.studyInstanceUid)), 'NOT_FOUND', who);
      assert.equal(await refusal(createReport(context, people[who], report.studyInstanceUid, { templateId })), 'NOT_FOUND', who);
    }
    const study = await testDb.db.study.findFirstOrThrow({ where: { studyInstanceUid: report.studyInstanceUid } });
    // Both patients agreed to share their images with the region's facilities
    await permitSharing(testDb.db, study.patientRef);
    const grant = await grantStudyRead(testDb.db, { grantee: { userId: people.remoteExpert.userId }, study, purpose: 'TELECONSULTATION', grantedById: people.expert.userId });
    const other = await createStudy(testDb.db, facilityId);
    await permitSharing(testDb.db, other.patientRef);
    const granted = await grantStudyRead(testDb.db, { grantee: { userId: people.remoteExpert.userId }, study: other, purpose: 'TELECONSULTATION', grantedById: people.expert.userId });
    const { report: remote } = await createReport(context, people.remoteExpert, other.studyInstanceUid, { templateId });
    const saved = await saveDraft(context, people.remoteExpert, remote.id, { baseRevision: remote.revision, sections: [{ key: 'impression', text: 'Second opinion: haemorrhage.' }] });
    assert.equal((await sign(people.remoteExpert, remote.id, { baseRevision: saved.revision, password: PASSWORD })).status, 'FINAL');
    assert.equal(await refusal(getReport(context, people.remoteExpert, report.id)), 'NOT_FOUND', "the author's draft stays theirs");
    await revokeGrants(testDb.db, { ids: [grant.id, granted.id] }, { revokedById: people.expert.userId, reason: 'consultation ended' });
    assert.equal(await refusal(getReport(context, people.remoteExpert, remote.id)), 'NOT_FOUND', 'revoked: not even their own signed report');
    assert.equal((await getReport(context, people.admin, remote.id)).status, 'FINAL', "the facility's admin reads it");
  });

  it('refuses a wrong password, then throttles like sign-in, and leaves the report unsigned', async () => {
    const report = await writtenReport();
    const fromWard = { ...people.expert, ip: '10.9.7.7' };
    assert.equal(await refusal(sign(fromWard, report.id, { baseRevision: report.revision, password: 'guess' })), 'INVALID_INPUT');
    for (let attempt = 0; attempt < 5; attempt++) await refusal(sign(fromWard, report.id, { baseRevision: report.revision, password: `guess ${attempt}` }));
    assert.equal(await refusal(sign(fromWard, report.id, { baseRevision: report.revision, password: PASSWORD })), 'RATE_LIMITED', 'even the right one, while throttled');
    assert.equal((await getReport(context, people.expert, report.id)).status, 'DRAFT');
    const refused = await testDb.db.auditEvent.count({ where: { action: 'report.sign', outcome: { not: 'SUCCESS' }, actor: people.expert.email } });
    assert.ok(refused >= 6, `refused signatures are audited (${refused})`);
    // Throttling is per account and address: the expert at another address signs
    assert.equal((await sign({ ...people.expert, ip: '10.9.9.9' }, report.id, { baseRevision: report.revision, password: PASSWORD })).status, 'FINAL');
  });

  it('lets exactly one of two racing signatures through; the other is CONFLICT', async () => {
    const report = await writtenReport();
    const attempts = await Promise.allSettled([0, 1].map(() => sign({ ...people.expert, ip: '10.9.8.1' }, report.id, { baseRevision: report.revision, password: PASSWORD })));
    assert.equal(attempts.filter((attempt) => attempt.status === 'fulfilled').length, 1);
    const rejected = attempts.find((attempt) => attempt.status === 'rejected');
    assert.equal((rejected as PromiseRejectedResult).reason.code, 'CONFLICT');
    const versions = await testDb.db.reportVersion.findMany({ where: { reportId: report.id } });
    assert.deepEqual(versions.map((version) => version.status), ['FINAL']);
  });

  it('refuses to sign or release an empty report', async () => {
    const study = await createStudy(testDb.db, facilityId);
    const { report } = await createReport(context, people.expert, study.studyInstanceUid, { templateId });
    assert.equal(await refusal(sign(people.expert, report.id, { baseRevision: report.revision, password: PASSWORD })), 'INVALID_INPUT');
    assert.equal(await refusal(makePreliminary(context, people.expert, report.id, { baseRevision: report.revision })), 'INVALID_INPUT');
  });

  it('keeps the report unsigned when the PDF/DICOM producer fails, and commits what a working producer returns', async () => {
    const report = await writtenReport();
    const failing: ProduceSignedArtifacts = async () => {
      throw new Error('archive full');
    };
    assert.equal(await refusal(sign(people.expert, report.id, { baseRevision: report.revision, password: PASSWORD }, failing)), 'SIGN_FAILED');
    const after = await getReport(context, people.expert, report.id);
    assert.equal(after.status, 'DRAFT');
    assert.equal(after.version.signedAt, null);
    let discarded = false;
    const failingCommit: ProduceSignedArtifacts = async () => ({
      summary: { pdf: 'x' },
      persist: async () => {
        throw new Error('pdf row refused');
      },
      discard: async () => {
        discarded = true;
      },
    });
    await assert.rejects(sign(people.expert, report.id, { baseRevision: report.revision, password: PASSWORD }, failingCommit));
    assert.equal(discarded, true, 'what was stored outside the database is removed');
    assert.equal((await getReport(context, people.expert, report.id)).status, 'DRAFT');
    let seen: Parameters<ProduceSignedArtifacts>[0] | undefined;
    let saveDuringSignature = '';
    const working: ProduceSignedArtifacts = async (content) => {
      seen = content;
      saveDuringSignature = await refusal(saveDraft(context, people.expert, report.id, { baseRevision: report.revision, sections: [{ key: 'impression', text: 'sneaked in' }] }));
      return { summary: { srSopInstanceUid: '2.25.1' } };
    };
    const signed = await sign(people.expert, report.id, { baseRevision: report.revision, password: PASSWORD }, working);
    assert.equal(signed.status, 'FINAL');
    assert.ok(seen);
    const { contentSha256: given, ...content } = seen;
    assert.equal(given, contentSha256(content), 'the producer gets the content the hash covers');
    assert.equal(signed.version.contentSha256, given);
    assert.equal(saveDuringSignature, 'CONFLICT', 'nothing changes the text while it is being signed');
    assert.equal(signed.version.sections.find((section) => section.key === 'impression')?.text, 'No acute abnormality.');
  });

  it('amends with a reason only; the old version stays readable, marked superseded', async () => {
    const draft = await writtenReport('Small nodule.');
    const signed = await sign(people.expert, draft.id, { baseRevision: draft.revision, password: PASSWORD });
    assert.equal(await refusal(amendReport(context, people.expert, draft.id, { baseRevision: signed.revision, reason: '  ' })), 'REASON_REQUIRED');
    const amendment = await amendReport(context, people.colleague, draft.id, { baseRevision: signed.revision, reason: 'Nodule size corrected', sections: [{ key: 'impression', text: 'Nodule 6 mm.' }] });
    assert.equal(amendment.version.version, 2);
    assert.equal(amendment.version.editable, true);
    assert.equal((await getReport(context, people.referrer, draft.id)).version.version, 1, 'readers keep the signed version until the amendment is signed');
    const amended = await sign(people.colleague, draft.id, { baseRevision: amendment.revision, password: PASSWORD });
    assert.equal(amended.status, 'AMENDED');
    const old = await getReport(context, people.referrer, draft.id, { version: 1 });
    assert.equal(old.version.superseded, true);
    assert.equal(old.version.supersededByVersion, 2);
    assert.equal(old.version.sections.find((section) => section.key === 'impression')?.text, 'Small nodule.');

    const addendum = await addAddendum(context, people.expert, draft.id, { baseRevision: amended.revision, reason: 'Comparison arrived' });
    assert.equal(await refusal(saveDraft(context, people.expert, draft.id, { baseRevision: addendum.revision, sections: [{ key: 'impression', text: 'rewritten' }] })), 'INVALID_INPUT', 'an addendum cannot rewrite signed text');
    assert.equal(await refusal(sign(people.expert, draft.id, { baseRevision: addendum.revision, password: PASSWORD })), 'INVALID_INPUT', 'an empty addendum is refused');
    const written = await saveDraft(context, people.expert, draft.id, { baseRevision: addendum.revision, sections: [{ key: 'addendum', text: 'Stable since 2024.' }] });
    const final = await sign(people.expert, draft.id, { baseRevision: written.revision, password: PASSWORD });
    assert.equal(final.status, 'ADDENDUM');
    assert.deepEqual(final.versions.map((version) => [version.version, version.superseded]), [[1, true], [2, true], [3, false]]);
  });

  it('refuses to sign a report whose study was deleted: NOT_FOUND, nothing written', async () => {
    const report = await writtenReport();
    const study = await testDb.db.study.findFirstOrThrow({ where: { studyInstanceUid: report.studyInstanceUid } });
    await testDb.db.study.delete({ where: { id: study.id } });
    assert.equal(await refusal(sign(people.expert, report.id, { baseRevision: report.revision, password: PASSWORD })), 'NOT_FOUND');
    assert.equal(await refusal(getReport(context, people.admin, report.id)), 'NOT_FOUND');
    const kept = await testDb.db.report.findUniqueOrThrow({ where: { id: report.id }, include: { versions: true } });
    assert.equal(kept.studyRef, null);
    assert.deepEqual(kept.versions.map((version) => version.signedAt), [null]);
  });

  it('refuses a stale save from a second tab, and accepts a retried save that already went through', async () => {
    const report = await writtenReport();
    const first = await saveDraft(context, people.expert, report.id, { baseRevision: report.revision, sections: [{ key: 'findings', text: 'tab one' }] });
    assert.equal(await refusal(saveDraft(context, people.expert, report.id, { baseRevision: report.revision, sections: [{ key: 'findings', text: 'tab two' }] })), 'CONFLICT');
    const retried = await saveDraft(context, people.expert, report.id, { baseRevision: report.revision, sections: [{ key: 'findings', text: 'tab one' }] });
    assert.equal(retried.revision, first.revision);
  });

  it('lets facility admins create, edit and retire their templates; refuses one with no sections', async () => {
    assert.equal(await refusal(createReportTemplate(context, people.admin, facilityId, { name: 'Empty', sections: [] })), 'INVALID_INPUT');
    assert.equal(await refusal(createReportTemplate(context, people.expert, facilityId, { name: 'Mine', sections: [{ key: 'findings', title: 'Findings' }] })), 'NOT_FOUND');
    const created = await createReportTemplate(context, people.admin, facilityId, { name: 'КТ почек', modality: 'ct', sections: [{ key: 'findings', title: 'Находки' }] });
    assert.equal(created.modality, 'CT');
    const renamed = await updateReportTemplate(context, people.admin, facilityId, created.id, { name: 'КТ почек и мочеточников' });
    assert.equal(renamed.name, 'КТ почек и мочеточников');
    await updateReportTemplate(context, people.admin, facilityId, created.id, { retired: true });
    assert.ok(!(await listReportTemplates(context, people.expert, facilityId)).some((template) => template.id === created.id), 'retired: no longer offered');
    assert.equal(await refusal(listReportTemplates(context, people.outsider, facilityId)), 'NOT_FOUND');
    const shipped = (await listReportTemplates(context, people.admin, facilityId)).find((template) => template.facilityId === null)!;
    assert.equal(await refusal(updateReportTemplate(context, people.admin, facilityId, shipped.id, { name: 'x' })), 'NOT_FOUND', 'shipped templates are read-only');
    const actions = await testDb.db.auditEvent.findMany({ where: { resource: `report-template:${created.id}` }, select: { action: true } });
    assert.deepEqual(actions.map((row) => row.action).sort(), ['admin.report_template.create', 'admin.report_template.retire', 'admin.report_template.update']);
  });
});
