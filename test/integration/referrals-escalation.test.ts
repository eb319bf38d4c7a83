// The escalation of an overdue second-opinion case (issue 15) is a durable
// job, not a timer in memory: cases sent while no job runner ran (a node
// that was down) are escalated by the runner of a fresh process on the same
// database, once each, with the event and the audit row; a case cancelled
// before, or re-addressed with a new due time, is left alone. Real database
// (SQLite, or PostgreSQL with TEST_DATABASE=postgres).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startJobRunner, type JobRunner } from '../../lib/jobs/job-runner';
import { createJobRegistry } from '../../lib/jobs/registry';
import type { Principal } from '../../lib/policy/principal';
import { createReferral } from '../../lib/referrals/create-referral';
import { transitionReferral } from '../../lib/referrals/transition-referral';
import type { ReferralContext } from '../../lib/referrals/referral-types';
import { jobDefinitions } from '../../lib/server/job-handlers';
import { loadConfig } from '../../lib/config/config';
import { silentLogger } from '../../pacs-core/logger';
import { createDatabase, type Database } from '../../prisma/database';
import { createArchiveHarness, type ArchiveHarness } from '../support/archive-harness';
import { createReferralCast, type ReferralCast } from '../support/referral-cast';
import { testDatabaseKind } from '../support/test-database';

const MINUTE = 60_000;

describe('second-opinion escalation', () => {
  let harness: ArchiveHarness;
  let context: ReferralContext;
  let cast: ReferralCast;
  let p: ReferralCast['people'];
  let fresh: Database | undefined;
  let runner: JobRunner | undefined;

  const hoursAgo = (hours: number) => new Date(Date.now() - hours * 60 * MINUTE);
  const send = async (who: Principal, priority: string, at: Date) =>
    (await createReferral(context, who, { studyInstanceUids: [cast.studies.primary.uid], question: 'Stroke?', priority, addressee: { serviceId: cast.services.neuro } }, at)).id;
  const jobsOf = (db: Database, id: string) => db.job.findMany({ where: { type: 'referral.escalate', key: { startsWith: `${id}:` } }, orderBy: { runAt: 'asc' } });

  async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  before(async () => {
    harness = await createArchiveHarness();
    context = { db: harness.db, logger: silentLogger };
    cast = await createReferralCast(harness.db);
    p = cast.people;
  });
  after(async () => {
    await runner?.stop();
    await fresh?.$disconnect();
    await harness?.cleanup();
  });

  it('escalates, after a restart, the cases that passed their due time, and only those still waiting with that due time', async () => {
    const { db } = harness;
    // While no runner runs (the node is down): stat cases sent two hours ago, due one hour ago
    const overdue = await send(p.requester, 'STAT', hoursAgo(2));
    const cancelled = await send(p.requester, 'STAT', hoursAgo(2));
    await transitionReferral(context, p.requester, cancelled, { action: 'cancel' });
    const redirected = await send(p.requester, 'STAT', hoursAgo(2));
    await transitionReferral(context, p.expertA, redirected, { action: 'decline', reason: 'Not today' });
    await transitionReferral(context, p.requester, redirected, { action: 'redirect', addressee: { serviceId: cast.services.chest } });
    const forwarded = await send(p.requester, 'STAT', hoursAgo(2));
    await transitionReferral(context, p.expertA, forwarded, { action: 'claim' });
    await transitionReferral(context, p.expertA, forwarded, { action: 'forward', addressee: { serviceId: cast.services.chest }, reason: 'Chest first' });
    const notYet = await send(p.requester, 'ROUTINE', new Date());
    // Waiting for the requester's answer when its due time passes: not the experts' delay
    const onHold = await send(p.requester, 'STAT', hoursAgo(2));
    await transitionReferral(context, p.expertA, onHold, { action: 'claim' });
    await transitionReferral(context, p.expertA, onHold, { action: 'ask', message: 'When did the symptoms start?' });

    const dueOf = async (id: string) => (await db.referral.findUniqueOrThrow({ where: { id } })).dueAt!;
    assert.equal((await dueOf(overdue)).getTime() - (await db.referral.findUniqueOrThrow({ where: { id: overdue } })).requestedAt!.getTime(), 60 * MINUTE, 'stat: due an hour after it was sent');
    assert.ok((await dueOf(overdue)).getTime() < Date.now() - 50 * MINUTE);
    assert.ok((await dueOf(forwarded)).getTime() < Date.now(), 'a forward keeps the due time');
    assert.ok((await dueOf(redirected)).getTime() > Date.now() + 50 * MINUTE, 'a redirect starts a new one (Chest: stat 1 h from now)');
    assert.deepEqual((await jobsOf(db, redirected)).map((job) => job.state), ['PENDING', 'PENDING'], 'the first due time’s job and the new one');
    for (const id of [overdue, cancelled, redirected, forwarded, notYet]) assert.equal((await db.referral.findUniqueOrThrow({ where: { id } })).escalatedAt, null);

    // A fresh process: its own database client and job runner, nothing in memory from the one that sent the cases
    const restarted = createDatabase(harness.options);
    fresh = restarted;
    runner = startJobRunner({ db: restarted, kind: testDatabaseKind(), archive: harness.archive, logger: silentLogger, registry: createJobRegistry(jobDefinitions(loadConfig({ DATA_DIR: harness.dataDir }))), pollIntervalMs: 100 });
    const dueJobs = async () => (await Promise.all([overdue, cancelled, redirected, forwarded, onHold].map((id) => jobsOf(restarted, id)))).flat().filter((job) => job.runAt.getTime() <= Date.now());
    assert.equal((await dueJobs()).length, 6, 'the forwarded case has two: its first addressing’s and the forward’s');
    await until('the due escalation jobs', async () => (await dueJobs()).every((job) => job.state === 'DONE'));

    const row = async (id: string) => restarted.referral.findUniqueOrThrow({ where: { id }, include: { events: { where: { action: 'escalate' } } } });
    for (const id of [overdue, forwarded]) {
      const escalated = await row(id);
      assert.ok(escalated.escalatedAt, `${id} escalated`);
      assert.equal(escalated.events.length, 1);
      assert.deepEqual([escalated.events[0].actorId, escalated.events[0].fromStatus, escalated.events[0].toStatus], [null, 'REQUESTED', 'REQUESTED']);
      const audit = await restarted.auditEvent.findMany({ where: { resource: `referral:${id}`, action: 'referral.escalate' } });
      assert.deepEqual(audit.map((entry) => [entry.actor, entry.actorUserId, entry.facilityId, entry.studyUid]), [['system', null, cast.facilities.district, cast.studies.primary.uid]]);
    }
    for (const id of [cancelled, redirected, notYet, onHold]) {
      const left = await row(id);
      assert.deepEqual([left.escalatedAt, left.events.length], [null, 0], `${id} left alone`);
      assert.equal(await restarted.auditEvent.count({ where: { resource: `referral:${id}`, action: 'referral.escalate' } }), 0);
    }
    assert.deepEqual((await jobsOf(restarted, redirected)).map((job) => job.state), ['DONE', 'PENDING'], 'the redirected case waits for its new due time');
    assert.deepEqual((await jobsOf(restarted, notYet)).map((job) => job.state), ['PENDING']);
    assert.deepEqual((await jobsOf(restarted, forwarded)).map((job) => job.state), ['DONE', 'DONE'], 'both ran; one escalated');

    // Run once: the job again (a retry, a second runner) changes nothing
    await runner.stop();
    runner = undefined;
    const [job] = await jobsOf(restarted, overdue);
    await restarted.job.update({ where: { id: job.id }, data: { state: 'PENDING', runAt: new Date(), finishedAt: null } });
    runner = startJobRunner({ db: restarted, kind: testDatabaseKind(), archive: harness.archive, logger: silentLogger, registry: createJobRegistry(jobDefinitions(loadConfig({ DATA_DIR: harness.dataDir }))), pollIntervalMs: 100 });
    await until('the job run again', async () => (await restarted.job.findUniqueOrThrow({ where: { id: job.id } })).state === 'DONE');
    assert.equal((await row(overdue)).events.length, 1, 'escalated once');

    // The requester answers after the due time: back with the experts, the case escalates now
    await transitionReferral(context, p.requester, onHold, { action: 'answer', message: 'Last seen well at 07:40.' });
    await until('the answered case escalated', async () => (await row(onHold)).escalatedAt !== null);
    const answered = await row(onHold);
    assert.deepEqual(answered.events.map((event) => [event.fromStatus, event.toStatus]), [['IN_PROGRESS', 'IN_PROGRESS']]);
  });

  it('escalates again, for its new addressee, an overdue case forwarded after its escalation', async () => {
    // The runner of the fresh process is still running
    const id = await send(p.requester, 'STAT', hoursAgo(2));
    const escalations = async () => (await fresh!.referral.findUniqueOrThrow({ where: { id }, include: { events: { where: { action: 'escalate' } } } }));
    await until('the first escalation', async () => (await escalations()).events.length === 1);
    await transitionReferral(context, p.expertB, id, { action: 'forward', addressee: { serviceId: cast.services.chest }, reason: 'Chest first' });
    assert.equal((await escalations()).escalatedAt, null, 'the forward clears the escalation');
    await until('the escalation for Chest', async () => (await escalations()).events.length === 2, 10_000);
    const again = await escalations();
    assert.ok(again.escalatedAt);
    assert.equal(again.targetServiceId, cast.services.chest);
  });
});
