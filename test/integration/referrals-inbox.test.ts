// Second-opinion cases (issue 15), the parts the parties work with every day,
// on a real node and database (SQLite, or PostgreSQL with
// TEST_DATABASE=postgres): the thread and its unread counts, the expert's
// inbox (filters, due-time order, overdue flag) and My referrals, the
// header's counts, and a teleconsultation started from a case.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Socket } from 'socket.io-client';
import { POST as consultationRoute } from '../../app/api/referrals/[id]/consultation/route';
import { POST as messageRoute } from '../../app/api/referrals/[id]/messages/route';
import { GET as listRoute } from '../../app/api/referrals/route';
import { auditQueueFor } from '../../lib/audit/audit-queue';
import { SESSION_COOKIE_NAME, createSession } from '../../lib/auth';
import type { Principal } from '../../lib/policy/principal';
import { createUser } from '../../lib/policy/test-fixtures';
import { createReferral } from '../../lib/referrals/create-referral';
import { getReferral } from '../../lib/referrals/get-referral';
import { listMyReferrals, listReferralInbox, referralCounts, type ReferralList } from '../../lib/referrals/list-referrals';
import { markReferralRead, postReferralMessage } from '../../lib/referrals/post-message';
import { readableStudyIds } from '../../pacs-core/index/readable-studies';
import { readScopeFor } from '../../lib/policy/read-scope';
import { startCaseConsultation } from '../../lib/referrals/start-case-consultation';
import { transitionReferral } from '../../lib/referrals/transition-referral';
import { REALTIME_EVENTS, REALTIME_NAMESPACE, type ReferralChangedPayload } from '../../lib/realtime/events';
import { getRuntime, type Runtime } from '../../lib/runtime';
import { connectWithSession } from '../support/session-socket';
import { createReferralCast, type ReferralCast } from '../support/referral-cast';
import { startTestServer, type TestServer } from '../support/test-server';

const MINUTE = 60_000;

async function refusal(work: Promise<unknown>): Promise<{ code: string; userMessage: string }> {
  try {
    await work;
  } catch (error) {
    const { code, userMessage } = error as { code: string; userMessage: string };
    return { code, userMessage };
  }
  assert.fail('expected a refusal');
}

describe('second-opinion inbox, thread and consultation', () => {
  let server: TestServer;
  let context: Runtime;
  let cast: ReferralCast;
  let p: ReferralCast['people'];

  const open = (who: Principal, extra: Record<string, unknown> = {}, now?: Date) =>
    createReferral(context, who, { studyInstanceUids: [cast.studies.primary.uid, cast.studies.prior.uid], question: 'Subdural haematoma?', addressee: { serviceId: cast.services.neuro }, ...extra }, now);
  const unreadIn = (list: ReferralList, id: string) => list.rows.find((row) => row.id === id)?.unread;

  async function call(method: string, path: string, who: Principal, payload?: unknown): Promise<Request> {
    const url = new URL(path, server.url);
    const { token } = await createSession(context.db, { userId: who.userId, ttlHours: 1 });
    const headers = { origin: url.origin, host: url.host, cookie: `${SESSION_COOKIE_NAME}=${token}`, 'content-type': 'application/json' };
    return new Request(url, { method, headers, body: payload === undefined ? undefined : JSON.stringify(payload) });
  }
  const params = (id: string) => ({ params: Promise.resolve({ id }) });

  before(async () => {
    server = await startTestServer();
    context = getRuntime();
    cast = await createReferralCast(context.db);
    p = cast.people;
  });
  after(async () => {
    await auditQueueFor(context).flush(true);
    await server?.stop();
  });

  it('counts the messages each party has not read, in the inbox, My referrals and the case, until they read or write', async () => {
    const start = Date.now() - 30 * MINUTE;
    const t = (minutes: number) => new Date(start + minutes * MINUTE);
    const { id } = await open(p.requester, {}, t(0));
    const counts = async () => ({
      requester: unreadIn(await listMyReferrals(context, p.requester, {}), id),
      expertA: unreadIn(await listReferralInbox(context, p.expertA, {}), id),
      expertB: unreadIn(await listReferralInbox(context, p.expertB, {}), id),
    });
    assert.deepEqual(await counts(), { requester: 0, expertA: 0, expertB: 0 });

    // Before a claim the service's members take part in the thread
    await postReferralMessage(context, p.expertA, id, { body: 'Which side was the fall?' }, t(1));
    assert.deepEqual(await counts(), { requester: 1, expertA: 0, expertB: 1 });
    assert.equal((await getReferral(context, p.requester, id, t(1))).unread, 1);
    await markReferralRead(context, p.requester, id, t(2));
    assert.deepEqual(await counts(), { requester: 0, expertA: 0, expertB: 1 });
    const posted = await messageRoute(await call('POST', `/api/referrals/${id}/messages`, p.requester, { body: 'Left.' }), params(id));
    assert.equal(posted.status, 201);
    // (the route writes at the real clock: t(30); the rest comes later)
    assert.deepEqual(await counts(), { requester: 0, expertA: 1, expertB: 2 });
    assert.equal((await getReferral(context, p.expertB, id)).unread, 2);

    await transitionReferral(context, p.expertA, id, { action: 'claim' }, t(40));
    await transitionReferral(context, p.expertA, id, { action: 'ask', message: 'Anticoagulated?' }, t(41));
    assert.equal((await listMyReferrals(context, p.requester, {})).rows.find((row) => row.id === id)?.status, 'ON_HOLD');
    assert.equal(unreadIn(await listMyReferrals(context, p.requester, {}), id), 1, 'the question');
    assert.equal(unreadIn(await listReferralInbox(context, p.expertA, {}), id), 0, 'asking reads the thread');
    assert.equal((await refusal(postReferralMessage(context, p.expertB, id, { body: 'me too' }))).code, 'NOT_FOUND', 'claimed: the colleague is out');
    await transitionReferral(context, p.requester, id, { action: 'answer', message: 'Yes, apixaban.' }, t(42));
    assert.equal(unreadIn(await listMyReferrals(context, p.requester, {}), id), 0, 'answering reads the thread');
    assert.equal(unreadIn(await listReferralInbox(context, p.expertA, {}), id), 1, 'the answer');
    const view = await getReferral(context, p.expertA, id, t(43));
    assert.deepEqual(view.messages.map((message) => [message.kind, message.author.id, message.body]), [
      ['NOTE', p.expertA.userId, 'Which side was the fall?'],
      ['NOTE', p.requester.userId, 'Left.'],
      ['QUESTION', p.expertA.userId, 'Anticoagulated?'],
      ['ANSWER', p.requester.userId, 'Yes, apixaban.'],
    ]);
    await markReferralRead(context, p.expertA, id, t(44));
    assert.equal(unreadIn(await listReferralInbox(context, p.expertA, {}), id), 0);
    assert.equal(await context.db.auditEvent.count({ where: { resource: `referral:${id}`, action: 'referral.message' } }), 2);
  });

  it('takes no message on a draft or a case that is over', async () => {
    const draft = await open(p.requester, { send: false });
    assert.deepEqual(await refusal(postReferralMessage(context, p.requester, draft.id, { body: 'x' })), { code: 'CONFLICT', userMessage: 'Send the case before writing on it.' });
    const sent = await open(p.requester);
    await transitionReferral(context, p.requester, sent.id, { action: 'cancel' });
    assert.deepEqual(await refusal(postReferralMessage(context, p.requester, sent.id, { body: 'x' })), { code: 'CONFLICT', userMessage: 'This case is over: it takes no more messages.' });
    assert.equal((await refusal(postReferralMessage(context, p.requester, sent.id, { body: '   ' }))).code, 'INVALID_INPUT');
  });

  it('lists the inbox by due time with its filters, the overdue flag, and the header’s counts', async () => {
    const { db } = context;
    const pool = await db.service.create({ data: { facilityId: cast.facilities.regional, name: 'Stroke' } });
    const expert = await createUser(db, { email: 'stroke@referrals.example', name: 'Dr Stroke', memberships: [{ facilityId: cast.facilities.regional, role: 'EXPERT' }] });
    await db.serviceMember.create({ data: { serviceId: pool.id, userId: expert.id } });
    const doctor = await createUser(db, { email: 'doctor@referrals.example', name: 'Dr Doctor', memberships: [{ facilityId: cast.facilities.district, role: 'REFERRING' }] });
    const me: Principal = { userId: expert.id, email: expert.email, ip: '10.15.1.1' };
    const asker: Principal = { userId: doctor.id, email: doctor.email, ip: '10.15.1.2' };
    const now = new Date();
    const ago = (minutes: number) => new Date(now.getTime() - minutes * MINUTE);
    const send = async (who: Principal, uid: string, priority: string, at: Date) =>
      (await createReferral(context, who, { studyInstanceUids: [uid], question: `${priority} question`, priority, addressee: { serviceId: pool.id } }, at)).id;
    const { primary: ct, prior: mr, hill } = cast.studies;
    const cases = {
      overdueStat: await send(asker, ct.uid, 'STAT', ago(120)), // due 60 min ago
      stat: await send(asker, ct.uid, 'STAT', now), // +1 h
      urgentMr: await send(asker, mr.uid, 'URGENT', now), // +6 h
      routine: await send(asker, ct.uid, 'ROUTINE', ago(2 * 24 * 60)), // +1 day
      hillRoutine: await send(p.hillRequester, hill.uid, 'ROUTINE', now), // +3 days
    };
    const ids = async (filters: Record<string, unknown> = {}) => (await listReferralInbox(context, me, filters, now)).rows.map((row) => row.id);
    assert.deepEqual(await ids(), [cases.overdueStat, cases.stat, cases.urgentMr, cases.routine, cases.hillRoutine], 'by due time');
    const inbox = await listReferralInbox(context, me, {}, now);
    assert.deepEqual(inbox.rows.map((row) => row.overdue), [true, false, false, false, false]);
    assert.ok(inbox.rows.every((row) => row.claimable && row.addressee === 'Stroke' && row.status === 'REQUESTED'));
    assert.deepEqual(inbox.rows.find((row) => row.id === cases.urgentMr)?.modalities, ['MR']);
    assert.equal(inbox.rows.find((row) => row.id === cases.hillRoutine)?.requester.facilityName, 'Hill Clinic');
    assert.deepEqual(inbox.facilities.map((facility) => facility.name).sort(), ['District Clinic', 'Hill Clinic']);
    assert.equal(inbox.total, 5);

    assert.deepEqual(await ids({ priority: 'STAT' }), [cases.overdueStat, cases.stat]);
    assert.deepEqual(await ids({ modality: 'MR' }), [cases.urgentMr, cases.hillRoutine]);
    assert.deepEqual(await ids({ modality: 'CT' }), [cases.overdueStat, cases.stat, cases.routine]);
    assert.deepEqual(await ids({ facilityId: cast.facilities.hill }), [cases.hillRoutine]);
    assert.deepEqual(await ids({ facilityId: cast.facilities.district, priority: 'ROUTINE' }), [cases.routine]);
    assert.equal((await refusal(listReferralInbox(context, me, { modality: 'ct; drop' }))).code, 'INVALID_INPUT');
    assert.deepEqual(await referralCounts(context, me.userId), { inbox: 5, unclaimed: 5, stat: 2, myReferralsNeedingMe: 0 });

    await transitionReferral(context, me, cases.stat, { action: 'claim' });
    await transitionReferral(context, me, cases.stat, { action: 'ask', message: 'Time of onset?' });
    await transitionReferral(context, asker, cases.routine, { action: 'cancel' });
    await transitionReferral(context, me, cases.urgentMr, { action: 'decline', reason: 'MR is not read here' });
    assert.deepEqual(await ids(), [cases.overdueStat, cases.stat, cases.hillRoutine], 'open: cancelled and declined ones leave');
    assert.deepEqual(await ids({ status: 'REQUESTED' }), [cases.overdueStat, cases.hillRoutine]);
    assert.deepEqual(await ids({ status: 'ON_HOLD' }), [cases.stat]);
    assert.deepEqual(await ids({ status: 'CANCELLED' }), [], 'a cancelled pool case is nobody’s now');
    assert.equal((await listReferralInbox(context, me, {}, now)).rows.find((row) => row.id === cases.stat)?.claimable, false);
    assert.deepEqual(await referralCounts(context, me.userId), { inbox: 3, unclaimed: 2, stat: 2, myReferralsNeedingMe: 0 });
    // The asker: a question to answer and a declined case to redirect need them; the cancelled one is gone from "open"
    assert.deepEqual(await referralCounts(context, asker.userId), { inbox: 0, unclaimed: 0, stat: 0, myReferralsNeedingMe: 2 });
    const mine = await listMyReferrals(context, asker, {});
    assert.deepEqual(new Set(mine.rows.map((row) => row.id)), new Set([cases.overdueStat, cases.stat, cases.urgentMr]));
    assert.equal(mine.rows[0].id, cases.urgentMr, 'newest change first');
    assert.deepEqual((await listMyReferrals(context, asker, { status: 'CANCELLED' })).rows.map((row) => row.id), [cases.routine]);
    // Nobody else sees them
    for (const other of [p.expertA, p.bystander, p.stranger]) assert.deepEqual((await listReferralInbox(context, other, { status: 'all' })).rows.filter((row) => Object.values(cases).includes(row.id)), []);

    // The route: the same list as JSON, inbox by default, "mine" on ?box=mine
    const listed = (await (await listRoute(await call('GET', `/api/referrals?priority=STAT`, me))).json()) as { rows: { id: string }[] };
    assert.deepEqual(listed.rows.map((row) => row.id), [cases.overdueStat, cases.stat]);
    const minePage = (await (await listRoute(await call('GET', `/api/referrals?box=mine&status=all`, asker))).json()) as { total: number };
    assert.equal(minePage.total, 4);
  });

  it('tells the open pages of the parties, and only theirs, that a case changed (no patient data)', async () => {
    const watchers = ['requester', 'expertA', 'expertB', 'bystander', 'stranger'] as const;
    const heard = new Map<string, ReferralChangedPayload[]>(watchers.map((who) => [who, []]));
    const sockets: Socket[] = [];
    try {
      for (const who of watchers) {
        const { token } = await createSession(context.db, { userId: p[who].userId, ttlHours: 1 });
        const socket = await connectWithSession(server.url, REALTIME_NAMESPACE, token);
        socket.on(REALTIME_EVENTS.REFERRAL_CHANGED, (payload: ReferralChangedPayload) => heard.get(who)!.push(payload));
        sockets.push(socket);
      }
      const until = async (what: string, check: () => boolean) => {
        const deadline = Date.now() + 10_000;
        while (!check()) {
          if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      };
      const changes = (who: (typeof watchers)[number], id: string) => heard.get(who)!.filter((payload) => payload.referralId === id).map((payload) => payload.change);

      const draft = await open(p.requester, { send: false });
      const { id } = await open(p.requester, { priority: 'STAT' });
      await until('the new case on the service members’ pages', () => changes('expertB', id).length === 1 && changes('expertA', id).length === 1 && changes('requester', id).length === 1);
      assert.deepEqual([changes('requester', draft.id), changes('expertB', draft.id)], [['create'], []], 'a draft is its author’s alone');
      assert.deepEqual(heard.get('expertB')!.find((payload) => payload.referralId === id), { referralId: id, status: 'REQUESTED', priority: 'STAT', change: 'send' });
      await transitionReferral(context, p.expertA, id, { action: 'claim' });
      await until('the claim', () => changes('expertB', id).length === 2 && changes('requester', id).length === 2);
      assert.deepEqual(changes('expertB', id), ['send', 'claim'], 'the colleague’s inbox drops it');
      await postReferralMessage(context, p.requester, id, { body: 'Any news?' });
      await until('the message', () => changes('expertA', id).length === 3);
      assert.deepEqual(changes('expertA', id), ['send', 'claim', 'message']);

      // A case named to the bystander comes after: had they heard of the first one, it would be there before
      const named = await createReferral(context, p.requester, { studyInstanceUids: [cast.studies.primary.uid], question: 'Named', addressee: { userId: p.bystander.userId } });
      await until('the bystander’s own case', () => heard.get('bystander')!.length > 0);
      assert.deepEqual(heard.get('bystander')!.map((payload) => payload.referralId), [named.id]);
      assert.equal(changes('expertB', id).length, 2, 'not told of a message on a case that left their hands');
      assert.deepEqual(heard.get('stranger'), []);
      await transitionReferral(context, p.requester, named.id, { action: 'cancel' });
      await transitionReferral(context, p.requester, draft.id, { action: 'cancel' });
    } finally {
      for (const socket of sockets) socket.close();
    }
  });

  it('starts a teleconsultation from a case: the requester or the expert who took it, the other invited, listed on the case, reused on a second click', async () => {
    const { id } = await open(p.requester);
    assert.deepEqual(await refusal(startCaseConsultation(context, p.expertA, id)), { code: 'FORBIDDEN', userMessage: 'Claim the case first: then you can talk with the requesting doctor.' });
    assert.deepEqual(await refusal(startCaseConsultation(context, p.requester, id)), { code: 'CONFLICT', userMessage: 'A teleconsultation starts once an expert has taken the case.' });
    await transitionReferral(context, p.expertA, id, { action: 'claim' });

    const started = await startCaseConsultation(context, p.expertA, id);
    assert.equal(started.created, true);
    const row = await context.db.consultation.findUniqueOrThrow({ where: { id: started.id }, include: { participants: true } });
    assert.deepEqual([row.referralId, row.studyInstanceUid, row.facilityId], [id, cast.studies.primary.uid, cast.facilities.district]);
    assert.deepEqual(row.participants.map((participant) => [participant.userId, participant.role]).sort(), [[p.expertA.userId, 'HOST'], [p.requester.userId, 'PARTICIPANT']].sort());
    for (const who of [p.requester, p.expertA]) {
      assert.deepEqual((await getReferral(context, who, id)).consultations.map((listed) => [listed.id, listed.participant, listed.endedAt]), [[started.id, true, null]]);
    }
    assert.deepEqual(await startCaseConsultation(context, p.requester, id), { id: started.id, created: false }, 'the other party rejoins it');
    const again = await consultationRoute(await call('POST', `/api/referrals/${id}/consultation`, p.expertA), params(id));
    assert.deepEqual([again.status, await again.json()], [200, { id: started.id, path: `/consultations/${started.id}` }]);
    assert.equal(await context.db.consultation.count({ where: { referralId: id } }), 1);

    // The requester may start it too, on a case of their own
    const other = await open(p.requester);
    await transitionReferral(context, p.expertB, other.id, { action: 'claim' });
    const fresh = await consultationRoute(await call('POST', `/api/referrals/${other.id}/consultation`, p.requester), params(other.id));
    assert.equal(fresh.status, 201);
    const { id: consultationId } = (await fresh.json()) as { id: string };
    assert.deepEqual((await getReferral(context, p.expertB, other.id)).consultations.map((listed) => [listed.id, listed.participant]), [[consultationId, true]]);

    // The expert who hands the case on leaves its teleconsultation's images too (the session stays, listed)
    const primaryRef = (await context.db.study.findFirstOrThrow({ where: { facilityId: cast.facilities.district, studyInstanceUid: cast.studies.primary.uid }, select: { id: true } })).id;
    const readsPrimary = async (who: keyof typeof p) => (await readableStudyIds(context.db, await readScopeFor(context.db, p[who].userId), [primaryRef])).has(primaryRef);
    assert.equal(await readsPrimary('expertB'), true);
    await transitionReferral(context, p.expertB, other.id, { action: 'forward', addressee: { userId: p.expertC.userId }, reason: 'Paediatric case' });
    assert.equal(await readsPrimary('expertB'), false, 'no case grant and no consultation grant left');
    assert.equal(await readsPrimary('requester'), true);
  });
});
