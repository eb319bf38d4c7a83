// Second-opinion cases after their report is signed (issue 15), on a real
// database (SQLite, or PostgreSQL with TEST_DATABASE=postgres): close is the
// requester's alone and only from COMPLETED; the completed case takes
// messages and a teleconsultation; its escalation job, due later, does
// nothing; the reporting expert keeps the primary study after closing, the
// service and its other members nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auditQueueFor } from '../../lib/audit/audit-queue';
import { hashPassword } from '../../lib/auth';
import { authContextFor } from '../../lib/auth/test-context';
import { loadConfig } from '../../lib/config/config';
import { startJobRunner } from '../../lib/jobs/job-runner';
import { createJobRegistry } from '../../lib/jobs/registry';
import { readScopeFor } from '../../lib/policy/read-scope';
import type { Principal } from '../../lib/policy/principal';
import { createReferral } from '../../lib/referrals/create-referral';
import { getReferral } from '../../lib/referrals/get-referral';
import { postReferralMessage } from '../../lib/referrals/post-message';
import { startCaseConsultation } from '../../lib/referrals/start-case-consultation';
import { transitionReferral } from '../../lib/referrals/transition-referral';
import { createReport } from '../../lib/reports/create-report';
import type { ReportContext } from '../../lib/reports/report-types';
import { saveDraft } from '../../lib/reports/save-draft';
import { signReport } from '../../lib/reports/sign-report';
import { withoutArtifacts } from '../../lib/reports/signed-artifacts';
import { seedDefaultTemplates } from '../../lib/reports/templates/seed-default-templates';
import { jobDefinitions } from '../../lib/server/job-handlers';
import { silentLogger } from '../../pacs-core/logger';
import { readableStudyIds } from '../../pacs-core/index/readable-studies';
import { createArchiveHarness, type ArchiveHarness } from '../support/archive-harness';
import { permitSharing } from '../support/consent';
import { createReferralCast, type ReferralCast } from '../support/referral-cast';
import { testDatabaseKind } from '../support/test-database';

const PASSWORD = 'referral completion password';

describe('second-opinion cases after the signature', () => {
  let harness: ArchiveHarness;
  let context: ReportContext;
  let cast: ReferralCast;
  let p: ReferralCast['people'];
  let templateId: string;

  async function refusal(work: Promise<unknown>): Promise<{ code: string; userMessage: string }> {
    try {
      await work;
    } catch (error) {
      const { code, userMessage } = error as { code: string; userMessage: string };
      return { code, userMessage };
    }
    assert.fail('expected a refusal');
  }
  const reads = async (who: Principal, ids: string[]) => [...(await readableStudyIds(harness.db, await readScopeFor(harness.db, who.userId), ids))].sort();

  /** A case of a new patient, claimed by expert A, reported and signed (at `at`, a time in the past when given) */
  async function completedCase(priority = 'ROUTINE', at?: Date) {
    const primary = await harness.db.study.create({ data: { facilityId: cast.facilities.district, patientRef: (await harness.db.patient.create({ data: { facilityId: cast.facilities.district, patientId: `PID-${Math.random()}` } })).id, studyInstanceUid: `1.2.826.0.1.${Date.now()}.${Math.floor(Math.random() * 1e6)}` } });
    const prior = await harness.db.study.create({ data: { facilityId: cast.facilities.district, patientRef: primary.patientRef, studyInstanceUid: `${primary.studyInstanceUid}.9` } });
    // The patient agreed before the case was sent
    await permitSharing(harness.db, primary.patientRef, { recordedById: p.requester.userId, validFrom: new Date((at ?? new Date()).getTime() - 60_000) });
    const { id } = await createReferral(context, p.requester, { studyInstanceUids: [primary.studyInstanceUid, prior.studyInstanceUid], question: 'Bleed?', priority, addressee: { serviceId: cast.services.neuro } }, at);
    await transitionReferral(context, p.expertA, id, { action: 'claim' });
    const { report } = await createReport(context, p.expertA, primary.studyInstanceUid, { templateId, referralId: id });
    const saved = await saveDraft(context, p.expertA, report.id, { baseRevision: report.revision, sections: [{ key: 'impression', text: 'No bleed.' }] });
    await signReport({ ...context, produceSignedArtifacts: withoutArtifacts }, p.expertA, saved.id, { baseRevision: saved.revision, password: PASSWORD });
    assert.equal((await harness.db.referral.findUniqueOrThrow({ where: { id } })).status, 'COMPLETED');
    return { id, primary: primary.id, prior: prior.id };
  }

  before(async () => {
    harness = await createArchiveHarness();
    context = authContextFor(harness);
    cast = await createReferralCast(harness.db, { passwordHash: await hashPassword(PASSWORD) });
    p = cast.people;
    await seedDefaultTemplates(harness.db);
    templateId = (await harness.db.reportTemplate.findUniqueOrThrow({ where: { defaultKey: 'ct-head' } })).id;
  });
  after(async () => {
    await auditQueueFor(context).flush(true);
    await harness?.cleanup();
  });

  it('is closed by the requester only, from COMPLETED only; the reporting expert keeps the primary study, nobody else anything', async () => {
    const { id, primary, prior } = await completedCase();
    assert.deepEqual(await refusal(transitionReferral(context, p.expertA, id, { action: 'close' })), { code: 'FORBIDDEN', userMessage: 'Only the requesting doctor can do this.' });
    for (const action of ['claim', 'decline', 'start', 'ask', 'answer', 'cancel'] as const) {
      const body = action === 'decline' ? { action, reason: 'x' } : action === 'ask' || action === 'answer' ? { action, message: 'x' } : { action };
      assert.equal((await refusal(transitionReferral(context, p.requester, id, body))).code, 'CONFLICT', action);
    }
    assert.equal((await refusal(transitionReferral(context, p.requester, id, { action: 'forward', addressee: { serviceId: cast.services.chest }, reason: 'x' }))).code, 'CONFLICT');
    // The completed case still takes a message and a teleconsultation
    await postReferralMessage(context, p.requester, id, { body: 'Thank you.' });
    assert.equal((await startCaseConsultation(context, p.requester, id)).created, true);
    assert.deepEqual(await reads(p.expertA, [primary, prior]), [primary]);
    assert.deepEqual(await reads(p.expertB, [primary, prior]), []);

    assert.equal((await transitionReferral(context, p.requester, id, { action: 'close' })).status, 'CLOSED');
    assert.equal((await refusal(transitionReferral(context, p.requester, id, { action: 'close' }))).code, 'CONFLICT');
    assert.deepEqual(await refusal(postReferralMessage(context, p.expertA, id, { body: 'x' })), { code: 'CONFLICT', userMessage: 'This case is over: it takes no more messages.' });
    assert.deepEqual(await reads(p.expertA, [primary, prior]), [primary], 'after closing too');
    assert.deepEqual((await getReferral(context, p.expertA, id)).roles, ['OWNER']);
    for (const who of [p.expertB, p.expertC, p.bystander, p.stranger]) assert.equal((await refusal(getReferral(context, who, id))).code, 'NOT_FOUND');
  });

  it('is not escalated when its due time passes after the signature', async () => {
    // Sent 2 h ago as stat (due 1 h ago), completed before any runner ran
    const { id } = await completedCase('STAT', new Date(Date.now() - 2 * 60 * 60_000));
    const runner = startJobRunner({ db: harness.db, kind: testDatabaseKind(), archive: harness.archive, logger: silentLogger, registry: createJobRegistry(jobDefinitions(loadConfig({ DATA_DIR: harness.dataDir }))), pollIntervalMs: 100 });
    try {
      const deadline = Date.now() + 30_000;
      const jobs = () => harness.db.job.findMany({ where: { type: 'referral.escalate', key: { startsWith: `${id}:` } } });
      while ((await jobs()).some((job) => job.state !== 'DONE')) {
        if (Date.now() > deadline) throw new Error('timed out waiting for the escalation job');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal((await jobs()).length, 1);
    } finally {
      await runner.stop();
    }
    const row = await harness.db.referral.findUniqueOrThrow({ where: { id }, include: { events: { where: { action: 'escalate' } } } });
    assert.deepEqual([row.status, row.escalatedAt, row.events.length], ['COMPLETED', null, 0]);
  });
});
