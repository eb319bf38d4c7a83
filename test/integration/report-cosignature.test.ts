// Co-signature (issue 14): the author of a draft sends it to a colleague who
// may write the study's reports; that colleague reads it and signs it with
// their own password (the signer, while the author stays the author); nobody
// else may sign or even see the draft; the request can be withdrawn. Real
// database (SQLite, or PostgreSQL with TEST_DATABASE=postgres).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auditQueueFor } from '../../lib/audit/audit-queue';
import { hashPassword } from '../../lib/auth';
import { authContextFor } from '../../lib/auth/test-context';
import { grantStudyRead } from '../../lib/grants';
import { createFacility, createStudy, createUser } from '../../lib/policy/test-fixtures';
import type { Principal } from '../../lib/policy/principal';
import { createReport } from '../../lib/reports/create-report';
import { getReport } from '../../lib/reports/get-report';
import { listAwaitingSignature } from '../../lib/reports/list-awaiting-signature';
import { listCosigners } from '../../lib/reports/list-cosigners';
import { requestCosignature } from '../../lib/reports/request-cosignature';
import type { ReportContext } from '../../lib/reports/report-types';
import type { ReportView } from '../../lib/reports/report-view';
import { saveDraft } from '../../lib/reports/save-draft';
import { signReport } from '../../lib/reports/sign-report';
import { withoutArtifacts } from '../../lib/reports/signed-artifacts';
import { seedDefaultTemplates } from '../../lib/reports/templates/seed-default-templates';
import { withdrawCosignature } from '../../lib/reports/withdraw-cosignature';
import { permitSharing, patientRefOfStudy } from '../support/consent';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const PASSWORD = 'cosignature test password';

describe('report co-signature', () => {
  let testDb: TestDatabase;
  let context: ReportContext;
  let facilityId: string;
  let templateId: string;
  const people: Record<string, Principal> = {};

  const sign = (who: Principal, reportId: string, body: unknown) => signReport({ ...context, produceSignedArtifacts: withoutArtifacts }, who, reportId, body);
  async function refusal(work: Promise<unknown>): Promise<string> {
    try {
      await work;
    } catch (error) {
      return (error as { code: string }).code;
    }
    assert.fail('expected a refusal');
  }
  async function draftOnNewStudy(): Promise<{ report: ReportView; study: { id: string; facilityId: string; studyInstanceUid: string } }> {
    const study = await createStudy(testDb.db, facilityId);
    const { report } = await createReport(context, people.author, study.studyInstanceUid, { templateId });
    return { study, report: await saveDraft(context, people.author, report.id, { baseRevision: report.revision, sections: [{ key: 'impression', text: 'Subdural haematoma, left.' }] }) };
  }
  async function auditActions(reportId: string): Promise<{ action: string; actorUserId: string | null; details: string | null }[]> {
    await auditQueueFor(context).flush();
    return testDb.db.auditEvent.findMany({ where: { resource: `report:${reportId}` }, orderBy: { at: 'asc' }, select: { action: true, actorUserId: true, details: true } });
  }

  before(async () => {
    testDb = await createTestDatabase();
    context = authContextFor(testDb);
    const passwordHash = await hashPassword(PASSWORD);
    facilityId = (await createFacility(testDb.db, 'Valley Hospital')).id;
    const hill = (await createFacility(testDb.db, 'Hill Clinic')).id;
    const roles = {
      author: [{ facilityId, role: 'EXPERT' as const }],
      senior: [{ facilityId, role: 'EXPERT' as const }],
      colleague: [{ facilityId, role: 'EXPERT' as const }],
      referrer: [{ facilityId, role: 'REFERRING' as const }],
      remoteExpert: [{ facilityId: hill, role: 'EXPERT' as const }],
      outsider: [{ facilityId: hill, role: 'EXPERT' as const }],
    };
    for (const [name, memberships] of Object.entries(roles)) {
      const user = await createUser(testDb.db, { email: `${name.toLowerCase()}@cosign.example`, name: `Dr ${name}`, passwordHash, memberships });
      people[name] = { userId: user.id, email: user.email, ip: `10.8.0.${Object.keys(people).length + 1}` };
    }
    await seedDefaultTemplates(testDb.db);
    templateId = (await testDb.db.reportTemplate.findUniqueOrThrow({ where: { defaultKey: 'ct-head' } })).id;
  });
  after(async () => {
    await auditQueueFor(context).flush(true);
    await testDb.cleanup();
  });

  it('sends a draft to a colleague, who sees it waiting, reads it and signs it as the signer; the author stays the author', async () => {
    const { report } = await draftOnNewStudy();
    const colleagues = await listCosigners(context, people.author, report.id);
    assert.deepEqual(colleagues.map((person) => person.email).sort(), ['colleague@cosign.example', 'senior@cosign.example'], 'the facility’s other experts, not the author, referrer or outsiders');
    assert.equal(await refusal(getReport(context, people.senior, report.id)), 'NOT_FOUND', 'before the request the draft is the author’s alone');

    const requested = await requestCosignature(context, people.author, report.id, { baseRevision: report.revision, signerUserId: people.senior.userId });
    assert.equal(requested.signatureRequest?.signer.id, people.senior.userId);
    assert.equal(requested.signatureRequest?.signer.name, 'Dr senior', 'the author sees "waiting for signature by Dr senior"');
    assert.equal(requested.status, 'DRAFT');

    const waiting = await listAwaitingSignature(context, people.senior);
    assert.deepEqual(waiting.map((entry) => [entry.reportId, entry.author.name]), [[report.id, 'Dr author']]);
    assert.deepEqual(await listAwaitingSignature(context, people.colleague), [], 'nobody else has it waiting');
    const seen = await getReport(context, people.senior, report.id);
    assert.equal(seen.version.sections.find((section) => section.key === 'impression')?.text, 'Subdural haematoma, left.');
    assert.equal(seen.maySign, true);
    assert.equal(seen.version.editable, false, 'the colleague signs; the text stays the author’s to change');

    assert.equal(await refusal(sign(people.senior, report.id, { baseRevision: seen.revision, password: 'not it' })), 'INVALID_INPUT', 'their own password, re-entered');
    const signed = await sign(people.senior, report.id, { baseRevision: seen.revision, password: PASSWORD });
    assert.equal(signed.status, 'FINAL');
    assert.equal(signed.version.signedBy?.id, people.senior.userId);
    assert.equal(signed.signatureRequest, null, 'the request ends with the signature');
    const row = await testDb.db.reportVersion.findFirstOrThrow({ where: { reportId: report.id, version: signed.version.version } });
    assert.equal(row.authorId, people.author.userId);
    assert.equal((await getReport(context, people.author, report.id)).status, 'FINAL', 'the author still sees it');
    assert.ok(!(await listAwaitingSignature(context, people.senior)).some((entry) => entry.reportId === report.id));

    const audit = await auditActions(report.id);
    const request = audit.find((event) => event.action === 'report.cosign.request');
    assert.equal(request?.actorUserId, people.author.userId);
    assert.equal(JSON.parse(request?.details ?? '{}').signerUserId, people.senior.userId);
    const signature = audit.find((event) => event.action === 'report.sign');
    assert.equal(signature?.actorUserId, people.senior.userId);
    assert.equal(JSON.parse(signature?.details ?? '{}').cosignedForUserId, people.author.userId);
  });

  it('refuses the signature and the draft to everyone but the author and the colleague asked', async () => {
    const { report } = await draftOnNewStudy();
    const requested = await requestCosignature(context, people.author, report.id, { baseRevision: report.revision, signerUserId: people.senior.userId });
    for (const who of ['colleague', 'referrer', 'outsider']) {
      assert.equal(await refusal(getReport(context, people[who], report.id)), 'NOT_FOUND', who);
      assert.equal(await refusal(sign(people[who], report.id, { baseRevision: requested.revision, password: PASSWORD })), 'NOT_FOUND', who);
      assert.equal(await refusal(withdrawCosignature(context, people[who], report.id, { baseRevision: requested.revision })), 'NOT_FOUND', who);
    }
    assert.equal(await refusal(listCosigners(context, people.outsider, report.id)), 'NOT_FOUND');
    assert.equal(await refusal(requestCosignature(context, people.senior, report.id, { baseRevision: requested.revision, signerUserId: people.colleague.userId })), 'NOT_ALLOWED', 'only the author sends it on');
    assert.equal((await testDb.db.report.findUniqueOrThrow({ where: { id: report.id } })).status, 'DRAFT', 'nothing was signed');
  });

  it('refuses a colleague who may not write here, and accepts an expert of another facility once a grant lets them', async () => {
    const { report, study } = await draftOnNewStudy();
    for (const who of ['outsider', 'referrer', 'author']) {
      const code = await refusal(requestCosignature(context, people.author, report.id, { baseRevision: report.revision, signerUserId: people[who].userId }));
      assert.equal(code, 'INVALID_INPUT', who);
    }
    assert.equal(await refusal(requestCosignature(context, people.author, report.id, { baseRevision: report.revision, signerUserId: 'no-such-user' })), 'INVALID_INPUT');
    // The patient agreed to show their images to the remote expert
    await permitSharing(testDb.db, await patientRefOfStudy(testDb.db, study.studyInstanceUid, study.facilityId), { recipient: { userId: people.remoteExpert.userId }, recordedById: people.author.userId });
    await grantStudyRead(testDb.db, { grantee: { userId: people.remoteExpert.userId }, study, purpose: 'TELECONSULTATION', grantedById: people.author.userId });
    assert.ok((await listCosigners(context, people.author, report.id)).some((person) => person.id === people.remoteExpert.userId), 'a granted expert is offered');
    const requested = await requestCosignature(context, people.author, report.id, { baseRevision: report.revision, signerUserId: people.remoteExpert.userId });
    assert.equal((await sign(people.remoteExpert, report.id, { baseRevision: requested.revision, password: PASSWORD })).status, 'FINAL');
  });

  it('withdraws a request: the colleague no longer sees or signs the draft; a later save makes a stale signature CONFLICT', async () => {
    const { report } = await draftOnNewStudy();
    const requested = await requestCosignature(context, people.author, report.id, { baseRevision: report.revision, signerUserId: people.senior.userId });
    const withdrawn = await withdrawCosignature(context, people.author, report.id, { baseRevision: requested.revision });
    assert.equal(withdrawn?.signatureRequest, null);
    assert.equal(await refusal(getReport(context, people.senior, report.id)), 'NOT_FOUND');
    assert.equal(await refusal(sign(people.senior, report.id, { baseRevision: withdrawn!.revision, password: PASSWORD })), 'NOT_FOUND');
    assert.ok(!(await listAwaitingSignature(context, people.senior)).some((entry) => entry.reportId === report.id), 'no longer waiting');
    assert.ok((await auditActions(report.id)).some((event) => event.action === 'report.cosign.withdraw'));

    const again = await requestCosignature(context, people.author, report.id, { baseRevision: withdrawn!.revision, signerUserId: people.senior.userId });
    const seen = await getReport(context, people.senior, report.id);
    const edited = await saveDraft(context, people.author, report.id, { baseRevision: again.revision, sections: [{ key: 'impression', text: 'Subdural haematoma, left, 8 mm.' }] });
    assert.equal(await refusal(sign(people.senior, report.id, { baseRevision: seen.revision, password: PASSWORD })), 'CONFLICT', 'the colleague signs only the text they read');
    assert.equal(edited.signatureRequest?.signer.id, people.senior.userId, 'the request survives the author’s edit');
    const handedBack = await withdrawCosignature(context, people.senior, report.id, { baseRevision: edited.revision });
    assert.equal(handedBack, null, 'the colleague may hand it back; the draft is the author’s alone again');
    assert.equal((await getReport(context, people.author, report.id)).signatureRequest, null);
  });
});
