// Second-opinion cases (issue 15) on a real node and database (SQLite, or
// PostgreSQL with TEST_DATABASE=postgres): every transition of
// lib/referrals/referral-states.ts and its refusals, the read grants that
// follow the case's hands, a pool case claimed by exactly one of two racing
// experts, and outsiders answered NOT_FOUND (the routes record the refused
// attempt for the requesting facility). The lib operations are called
// directly; the JSON routes are called as handlers (no Next build).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GET as getRoute } from '../../app/api/referrals/[id]/route';
import { POST as readRoute } from '../../app/api/referrals/[id]/read/route';
import { GET as addresseesRoute } from '../../app/api/referrals/addressees/route';
import { GET as countsRoute } from '../../app/api/referrals/counts/route';
import { POST as createRoute } from '../../app/api/referrals/route';
import { POST as consultationRoute } from '../../app/api/referrals/[id]/consultation/route';
import { POST as messageRoute } from '../../app/api/referrals/[id]/messages/route';
import { POST as transitionRoute } from '../../app/api/referrals/[id]/transitions/route';
import { auditQueueFor } from '../../lib/audit/audit-queue';
import { SESSION_COOKIE_NAME, createSession } from '../../lib/auth';
import { readScopeFor } from '../../lib/policy';
import type { Principal } from '../../lib/policy/principal';
import { createReferral } from '../../lib/referrals/create-referral';
import { getReferral } from '../../lib/referrals/get-referral';
import { listReferralInbox } from '../../lib/referrals/list-referrals';
import { markReferralRead, postReferralMessage } from '../../lib/referrals/post-message';
import { REFERRAL_ACTIONS, TRANSITIONS, type ReferralAction, type ReferralStatus } from '../../lib/referrals/referral-states';
import { startCaseConsultation } from '../../lib/referrals/start-case-consultation';
import { transitionReferral } from '../../lib/referrals/transition-referral';
import { getRuntime, type Runtime } from '../../lib/runtime';
import { readableStudyIds } from '../../pacs-core/index/readable-studies';
import { createStudy } from '../../lib/policy/test-fixtures';
import { permitSharing } from '../support/consent';
import { createReferralCast, type CastName, type ReferralCast } from '../support/referral-cast';
import { startTestServer, type TestServer } from '../support/test-server';

/** A valid body for each action (the addressee of redirect/forward: the Chest service) */
function body(action: ReferralAction, cast: ReferralCast): Record<string, unknown> {
  switch (action) {
    case 'decline':
      return { action, reason: 'Not our field' };
    case 'redirect':
      return { action, addressee: { userId: cast.people.expertB.userId } };
    case 'forward':
      return { action, addressee: { serviceId: cast.services.chest }, reason: 'Chest, not head' };
    case 'ask':
      return { action, message: 'Any trauma?' };
    case 'answer':
      return { action, message: 'A fall, two days ago.' };
    default:
      return { action };
  }
}

async function refusal(work: Promise<unknown>): Promise<{ code: string; userMessage: string }> {
  try {
    await work;
  } catch (error) {
    const { code, userMessage } = error as { code: string; userMessage: string };
    return { code, userMessage };
  }
  assert.fail('expected a refusal');
}

type Patient = Pick<ReferralCast['studies'], 'primary' | 'prior' | 'unrelated'>;

describe('second-opinion cases', () => {
  let server: TestServer;
  let context: Runtime;
  let cast: ReferralCast;
  let p: ReferralCast['people'];

  const open = (who: Principal, extra: Record<string, unknown> = {}, patient: Patient = cast.studies) =>
    createReferral(context, who, { studyInstanceUids: [patient.primary.uid, patient.prior.uid], question: 'Subdural haematoma?', priority: 'URGENT', addressee: { serviceId: cast.services.neuro }, ...extra });

  /** Another patient of the district clinic with a CT and a prior: grants of other cases do not blur what one case grants */
  async function freshPatient(): Promise<Patient> {
    const primary = await createStudy(context.db, cast.facilities.district);
    const prior = await context.db.study.create({ data: { facilityId: cast.facilities.district, patientRef: primary.patientRef, studyInstanceUid: `${primary.studyInstanceUid}.9` } });
    await permitSharing(context.db, primary.patientRef, { recordedById: p.requester.userId });
    return { primary: { id: primary.id, uid: primary.studyInstanceUid }, prior: { id: prior.id, uid: prior.studyInstanceUid }, unrelated: cast.studies.unrelated };
  }
  const move = (who: Principal, id: string, action: ReferralAction) => transitionReferral(context, who, id, body(action, cast));

  /** A new case, moved by the right parties to `status` (expert A takes it) */
  async function caseIn(status: Exclude<ReferralStatus, 'COMPLETED' | 'CLOSED'>, patient: Patient = cast.studies): Promise<string> {
    const { id } = await open(p.requester, status === 'DRAFT' ? { send: false } : {}, patient);
    const steps: [CastName, ReferralAction][] =
      status === 'ACCEPTED' ? [['expertA', 'claim']]
      : status === 'DECLINED' ? [['expertA', 'decline']]
      : status === 'IN_PROGRESS' ? [['expertA', 'claim'], ['expertA', 'start']]
      : status === 'ON_HOLD' ? [['expertA', 'claim'], ['expertA', 'start'], ['expertA', 'ask']]
      : status === 'CANCELLED' ? [['requester', 'cancel']]
      : [];
    for (const [who, action] of steps) await move(p[who], id, action);
    assert.equal((await context.db.referral.findUniqueOrThrow({ where: { id } })).status, status);
    return id;
  }

  /** Which of the patient's studies (and the unrelated one) the user reads now */
  async function reads(who: CastName, patient: Patient): Promise<string[]> {
    const { primary, prior, unrelated } = patient;
    const readable = await readableStudyIds(context.db, await readScopeFor(context.db, p[who].userId), [primary.id, prior.id, unrelated.id]);
    return [primary, prior, unrelated].filter((study) => readable.has(study.id)).map((study) => (study === primary ? 'primary' : study === prior ? 'prior' : 'unrelated'));
  }
  const CASE_STUDIES = ['primary', 'prior'];

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

  it('moves a case through send, claim, start, ask, answer, forward, decline, redirect and cancel, each by its role, recorded as an event and an audit row', async () => {
    const { id, status } = await open(p.requester, { send: false });
    assert.equal(status, 'DRAFT');
    const path: [CastName, ReferralAction, ReferralStatus][] = [
      ['requester', 'send', 'REQUESTED'],
      ['expertA', 'claim', 'ACCEPTED'],
      ['expertA', 'start', 'IN_PROGRESS'],
      ['expertA', 'ask', 'ON_HOLD'],
      ['requester', 'answer', 'IN_PROGRESS'],
      ['expertA', 'forward', 'REQUESTED'],
      ['expertC', 'decline', 'DECLINED'],
      ['requester', 'redirect', 'REQUESTED'],
      ['expertB', 'claim', 'ACCEPTED'],
      ['requester', 'cancel', 'CANCELLED'],
    ];
    let revision = 1;
    for (const [who, action, to] of path) {
      const moved = await move(p[who], id, action);
      assert.deepEqual(moved, { id, status: to, revision: ++revision }, `${who} ${action}`);
      assert.equal(TRANSITIONS[action].to, to);
    }
    const events = await context.db.referralEvent.findMany({ where: { referralId: id }, orderBy: [{ at: 'asc' }, { id: 'asc' }] });
    assert.deepEqual(
      events.map((event) => [event.action, event.fromStatus, event.toStatus, event.actorId]),
      [['create', null, 'DRAFT', p.requester.userId], ...path.map(([who, action, to], index) => [action, index === 0 ? 'DRAFT' : path[index - 1][2], to, p[who].userId])],
    );
    assert.equal(events.find((event) => event.action === 'decline')?.reason, 'Not our field');
    assert.deepEqual(JSON.parse(events.find((event) => event.action === 'forward')!.details).addressee, { userId: null, serviceId: cast.services.chest, facilityId: cast.facilities.regional });
    const audit = await context.db.auditEvent.findMany({ where: { resource: `referral:${id}` }, orderBy: { at: 'asc' }, select: { action: true, actorUserId: true, facilityId: true, studyUid: true } });
    assert.deepEqual(
      audit.map((row) => [row.action, row.actorUserId]),
      [['referral.create', p.requester.userId], ...path.map(([who, action]) => [`referral.${action}`, p[who].userId])],
    );
    assert.ok(audit.every((row) => row.facilityId === cast.facilities.district && row.studyUid === cast.studies.primary.uid), 'the requesting facility owns the rows');
    // The question and the answer are on the thread
    const view = await getReferral(context, p.requester, id);
    assert.deepEqual(view.messages.map((message) => [message.kind, message.body]), [['QUESTION', 'Any trauma?'], ['ANSWER', 'A fall, two days ago.']]);
  });

  it('refuses every move the state does not allow with CONFLICT and the rule’s words', async () => {
    const statuses = ['DRAFT', 'REQUESTED', 'ACCEPTED', 'DECLINED', 'IN_PROGRESS', 'ON_HOLD', 'CANCELLED'] as const;
    let refused = 0;
    for (const status of statuses) {
      const id = await caseIn(status);
      const before = await context.db.referral.findUniqueOrThrow({ where: { id } });
      for (const action of REFERRAL_ACTIONS) {
        const rule = TRANSITIONS[action];
        if (rule.from.includes(status)) continue;
        // The requester takes part in every state: the state is checked first
        assert.deepEqual(await refusal(move(p.requester, id, action)), { code: 'CONFLICT', userMessage: rule.words }, `${action} in ${status}`);
        refused++;
      }
      const afterwards = await context.db.referral.findUniqueOrThrow({ where: { id } });
      assert.deepEqual([afterwards.status, afterwards.revision], [before.status, before.revision]);
    }
    assert.ok(refused >= 40, `${refused} refusals`);
    // close is allowed from COMPLETED only: here it is refused in every state above
    // TODO(issue 15, completion): close from COMPLETED by the requester, and FORBIDDEN for the owner,
    // once sign-report completes the case (lib/referrals/complete-referral.ts is not on this branch;
    // written in docs/drafts/referrals-tests.md, referrals-completion.test.ts, to add at the merge).
  });

  it('refuses a party whose role may not make the move with FORBIDDEN naming who may', async () => {
    const forbidden: [Exclude<ReferralStatus, 'COMPLETED' | 'CLOSED'>, CastName, ReferralAction][] = [
      ['REQUESTED', 'requester', 'claim'],
      ['REQUESTED', 'requester', 'decline'],
      ['REQUESTED', 'requester', 'forward'],
      ['REQUESTED', 'expertB', 'cancel'],
      ['ACCEPTED', 'requester', 'start'],
      ['IN_PROGRESS', 'requester', 'ask'],
      ['IN_PROGRESS', 'expertA', 'cancel'],
      ['ON_HOLD', 'expertA', 'answer'],
    ];
    const words = { REQUESTER: 'the requesting doctor', OWNER: 'the expert working on the case', ADDRESSEE: 'the expert or service it is addressed to' };
    for (const [status, who, action] of forbidden) {
      const id = await caseIn(status);
      const expected = `Only ${TRANSITIONS[action].by.map((role) => words[role]).join(' or ')} can do this.`;
      assert.deepEqual(await refusal(move(p[who], id, action)), { code: 'FORBIDDEN', userMessage: expected }, `${who} ${action} in ${status}`);
    }
    // send and redirect: in DRAFT and DECLINED nobody but the requester takes part (the others get NOT_FOUND)
    assert.equal((await refusal(move(p.expertA, await caseIn('DRAFT'), 'send'))).code, 'NOT_FOUND');
    assert.equal((await refusal(move(p.expertA, await caseIn('DECLINED'), 'redirect'))).code, 'NOT_FOUND');
  });

  it('answers NOT_FOUND to outsiders for the case, its moves, its thread and its consultation, and records the attempt for the requesting facility', async () => {
    const waiting = await caseIn('REQUESTED');
    const taken = await caseIn('IN_PROGRESS');
    const outsiders: CastName[] = ['bystander', 'stranger', 'regionalAdmin', 'hillRequester'];
    for (const id of [waiting, taken]) {
      for (const who of outsiders) {
        const principal = p[who];
        const attempts: [string, () => Promise<unknown>][] = [
          ['get', () => getReferral(context, principal, id)],
          ['claim', () => move(principal, id, 'claim')],
          ['cancel', () => move(principal, id, 'cancel')],
          ['message', () => postReferralMessage(context, principal, id, { body: 'hello?' })],
          ['read', () => markReferralRead(context, principal, id)],
          ['consultation', () => startCaseConsultation(context, principal, id)],
        ];
        for (const [what, attempt] of attempts) assert.deepEqual(await refusal(attempt()), { code: 'NOT_FOUND', userMessage: 'Not found.' }, `${who} ${what}`);
        const inbox = await listReferralInbox(context, principal, { status: 'all' });
        assert.ok(!inbox.rows.some((row) => row.id === id), `${who}'s inbox`);
      }
    }
    // An id that does not exist looks the same
    assert.equal((await refusal(getReferral(context, p.stranger, 'no-such-case'))).code, 'NOT_FOUND');

    // Through the routes: 404, and a DENIED row in the requesting facility naming the patient's study
    await auditQueueFor(context).flush();
    const since = new Date();
    for (const who of ['bystander', 'stranger'] as const) {
      const answers = [
        await getRoute(await call('GET', `/api/referrals/${taken}`, p[who]), params(taken)),
        await transitionRoute(await call('POST', `/api/referrals/${taken}/transitions`, p[who], { action: 'claim' }), params(taken)),
        await messageRoute(await call('POST', `/api/referrals/${taken}/messages`, p[who], { body: 'hello?' }), params(taken)),
        await consultationRoute(await call('POST', `/api/referrals/${taken}/consultation`, p[who]), params(taken)),
      ];
      for (const answer of answers) assert.deepEqual([answer.status, await answer.json()], [404, { error: 'NOT_FOUND', message: 'Not found.' }]);
    }
    await auditQueueFor(context).flush();
    const refusedRows = await context.db.auditEvent.findMany({ where: { at: { gte: since }, outcome: 'DENIED' }, select: { actorUserId: true, facilityId: true, action: true, resource: true, studyUid: true } });
    for (const who of ['bystander', 'stranger'] as const) {
      const owned = refusedRows.filter((row) => row.actorUserId === p[who].userId && row.facilityId === cast.facilities.district);
      assert.deepEqual(
        owned.map((row) => row.resource).sort(),
        [`GET /api/referrals/${taken}`, `POST /api/referrals/${taken}/consultation`, `POST /api/referrals/${taken}/messages`, `POST /api/referrals/${taken}/transitions`],
        who,
      );
      assert.ok(owned.every((row) => row.action === 'referral.view' && row.studyUid === cast.studies.primary.uid));
    }
    const parties = await getRoute(await call('GET', `/api/referrals/${taken}`, p.expertA), params(taken));
    assert.equal(parties.status, 200);
    assert.equal(((await parties.json()) as { status: string }).status, 'IN_PROGRESS');
  });

  it('lets the case’s studies be read by the service, then only by the expert who claimed it, then the next addressee, and by nobody once declined or cancelled', async () => {
    const nobody: CastName[] = ['expertA', 'expertB', 'expertC', 'bystander', 'stranger', 'hillRequester'];
    const patient = await freshPatient();
    const readers = async (who: CastName[]) => Object.fromEntries(await Promise.all(who.map(async (name) => [name, await reads(name, patient)] as const)));
    const none = (who: CastName[]) => Object.fromEntries(who.map((name) => [name, []]));

    const { id } = await open(p.requester, { send: false }, patient);
    assert.deepEqual(await readers(nobody), none(nobody), 'a draft grants nothing');
    await move(p.requester, id, 'send');
    assert.deepEqual(await readers(nobody), { ...none(nobody), expertA: CASE_STUDIES, expertB: CASE_STUDIES }, 'sent to the service: its members');
    assert.deepEqual(await reads('requester', patient), ['primary', 'prior', 'unrelated'], 'the requester reads their own facility');

    await move(p.expertA, id, 'claim');
    assert.deepEqual(await readers(nobody), { ...none(nobody), expertA: CASE_STUDIES }, 'claimed: the claimant only');
    await move(p.expertA, id, 'forward');
    assert.deepEqual(await readers(nobody), { ...none(nobody), expertC: CASE_STUDIES }, 'forwarded to Chest: its member only');
    await move(p.expertC, id, 'decline');
    assert.deepEqual(await readers(nobody), none(nobody), 'declined: nobody');
    await move(p.requester, id, 'redirect');
    assert.deepEqual(await readers(nobody), { ...none(nobody), expertB: CASE_STUDIES }, 'redirected to a named expert: that expert');
    await move(p.requester, id, 'cancel');
    assert.deepEqual(await readers(nobody), none(nobody), 'cancelled: nobody');

    const grants = await context.db.accessGrant.findMany({ where: { sourceType: 'referral', sourceId: id } });
    assert.ok(grants.length >= 8 && grants.every((grant) => grant.revokedAt !== null && grant.purpose === 'REFERRAL'), 'every grant of the case ended');
    // TODO(issue 15, completion): after sign-report completes the case, the reporting expert keeps
    // read access to the primary study (and the others do not) — lib/referrals/complete-referral.ts
    // and the sign path are not on this branch yet (main's referral-report.test.ts and the draft
    // referrals-completion.test.ts in docs/drafts/referrals-tests.md cover it after the merge).
  });

  it('ends a service member’s part in a waiting case when they leave the service', async () => {
    const patient = await freshPatient();
    const id = await caseIn('REQUESTED', patient);
    assert.deepEqual(await reads('expertB', patient), CASE_STUDIES);
    const membership = await context.db.serviceMember.findFirstOrThrow({ where: { serviceId: cast.services.neuro, userId: p.expertB.userId } });
    await context.db.serviceMember.delete({ where: { id: membership.id } });
    try {
      assert.deepEqual(await reads('expertB', patient), []);
      assert.equal((await refusal(getReferral(context, p.expertB, id))).code, 'NOT_FOUND');
      assert.equal((await refusal(move(p.expertB, id, 'claim'))).code, 'NOT_FOUND');
      assert.ok(!(await listReferralInbox(context, p.expertB, {})).rows.some((row) => row.id === id));
      assert.deepEqual(await reads('expertA', patient), CASE_STUDIES, 'the others keep it');
    } finally {
      await context.db.serviceMember.create({ data: { serviceId: cast.services.neuro, userId: p.expertB.userId } });
      await move(p.requester, id, 'cancel');
    }
  });

  it('does not let a requester who belongs to the addressed service claim their own case', async () => {
    const id = await caseIn('REQUESTED');
    const requesterInPool = await context.db.serviceMember.create({ data: { serviceId: cast.services.neuro, userId: p.requester.userId } });
    await context.db.membership.create({ data: { userId: p.requester.userId, facilityId: cast.facilities.regional, role: 'EXPERT' } });
    try {
      assert.deepEqual(await refusal(move(p.requester, id, 'claim')), { code: 'FORBIDDEN', userMessage: 'Only the expert or service it is addressed to can do this.' });
      assert.deepEqual((await getReferral(context, p.requester, id)).roles, ['REQUESTER']);
      assert.ok(!(await listReferralInbox(context, p.requester, {})).rows.some((row) => row.id === id), 'not in their own inbox');
      assert.equal((await transitionReferral(context, p.expertA, id, { action: 'claim' })).status, 'ACCEPTED', 'their colleagues answer it');
    } finally {
      await context.db.serviceMember.delete({ where: { id: requesterInPool.id } });
      await context.db.membership.deleteMany({ where: { userId: p.requester.userId, facilityId: cast.facilities.regional } });
      await move(p.requester, id, 'cancel');
    }
  });

  it('records opening a case as referral.view, and answers the read, counts and addressees routes', async () => {
    const id = await caseIn('REQUESTED');
    const view = await getReferral(context, p.expertA, id);
    assert.deepEqual([view.roles, view.actions], [['ADDRESSEE'], ['claim', 'decline', 'forward']]);
    assert.deepEqual((await getReferral(context, p.requester, id)).actions, ['cancel']);
    await auditQueueFor(context).flush();
    const viewed = await context.db.auditEvent.findMany({ where: { resource: `referral:${id}`, action: 'referral.view' }, select: { actorUserId: true, facilityId: true, patientId: true, outcome: true } });
    assert.deepEqual(viewed.map((row) => row.actorUserId).sort(), [p.expertA.userId, p.requester.userId].sort());
    assert.ok(viewed.every((row) => row.facilityId === cast.facilities.district && row.outcome === 'SUCCESS' && row.patientId));

    const read = await readRoute(await call('POST', `/api/referrals/${id}/read`, p.expertA), params(id));
    assert.equal(read.status, 204);
    assert.equal((await readRoute(await call('POST', `/api/referrals/${id}/read`, p.stranger), params(id))).status, 404);
    const counts = (await (await countsRoute(await call('GET', '/api/referrals/counts', p.stranger))).json()) as Record<string, number>;
    assert.deepEqual(counts, { inbox: 0, unclaimed: 0, stat: 0, myReferralsNeedingMe: 0 });
    const addressees = (await (await addresseesRoute(await call('GET', '/api/referrals/addressees', p.requester))).json()) as { services: { name: string; turnaroundMinutes: Record<string, number> }[]; experts: { userId: string; facilityName: string }[] };
    assert.deepEqual(addressees.services.find((service) => service.name === 'Neuroradiology')?.turnaroundMinutes, { STAT: 60, URGENT: 360, ROUTINE: 4320 });
    const experts = addressees.experts.map((expert) => expert.userId);
    for (const who of ['expertA', 'expertB', 'expertC', 'bystander', 'stranger'] as const) assert.ok(experts.includes(p[who].userId), who);
    for (const who of ['requester', 'regionalAdmin', 'hillRequester'] as const) assert.ok(!experts.includes(p[who].userId), who);
    const created = await createRoute(await call('POST', '/api/referrals', p.requester, { studyInstanceUids: [cast.studies.primary.uid], question: 'Via the route', priority: 'STAT', addressee: { serviceId: cast.services.chest } }));
    assert.equal(created.status, 201);
    const answer = (await created.json()) as { id: string; status: string; path: string };
    assert.deepEqual([answer.status, answer.path], ['REQUESTED', `/referrals/${answer.id}`]);
    const missing = await createRoute(await call('POST', '/api/referrals', p.requester, { studyInstanceUids: [cast.studies.primary.uid], addressee: { serviceId: cast.services.chest } }));
    assert.equal(missing.status, 400);
    assert.equal(((await missing.json()) as { fields: Record<string, string> }).fields.question, 'Write the clinical question');
    const noReason = await transitionRoute(await call('POST', `/api/referrals/${id}/transitions`, p.expertA, { action: 'decline' }), params(id));
    assert.deepEqual([noReason.status, ((await noReason.json()) as { fields: Record<string, string> }).fields], [400, { reason: 'Say why you decline' }]);
    const noBody = await messageRoute(await call('POST', `/api/referrals/${id}/messages`, p.expertA, {}), params(id));
    assert.deepEqual([noBody.status, ((await noBody.json()) as { fields: Record<string, string> }).fields], [400, { body: 'Write your message' }]);
    await move(p.requester, answer.id, 'cancel');
    await move(p.requester, id, 'cancel');
  });

  it('gives a pool case to exactly one of two experts claiming at once; the other is told who took it', async () => {
    for (let round = 0; round < 3; round++) {
      const patient = await freshPatient();
      const id = await caseIn('REQUESTED', patient);
      const claim = async (who: 'expertA' | 'expertB') => transitionRoute(await call('POST', `/api/referrals/${id}/transitions`, p[who], { action: 'claim' }), params(id));
      const [a, b] = await Promise.all([claim('expertA'), claim('expertB')]);
      const answers = { expertA: { status: a.status, body: (await a.json()) as { message?: string; status?: string } }, expertB: { status: b.status, body: (await b.json()) as { message?: string; status?: string } } };
      assert.deepEqual([a.status, b.status].sort(), [200, 409], JSON.stringify(answers));
      const winner = a.status === 200 ? 'expertA' : 'expertB';
      const loser = winner === 'expertA' ? 'expertB' : 'expertA';
      assert.equal(answers[winner].body.status, 'ACCEPTED');
      assert.equal(answers[loser].body.message, `${p[winner].name} claimed this case first.`);
      const row = await context.db.referral.findUniqueOrThrow({ where: { id } });
      assert.deepEqual([row.status, row.ownerId, row.revision], ['ACCEPTED', p[winner].userId, 3]);
      assert.equal(await context.db.referralEvent.count({ where: { referralId: id, action: 'claim' } }), 1);
      assert.equal(await context.db.auditEvent.count({ where: { resource: `referral:${id}`, action: 'referral.claim' } }), 1);
      assert.deepEqual([await reads(winner, patient), await reads(loser, patient)], [CASE_STUDIES, []]);
      await move(p.requester, id, 'cancel');
    }
  });

  it('races two claims through the lib too: one wins, the other gets CONFLICT', async () => {
    const id = await caseIn('REQUESTED');
    const outcomes = await Promise.allSettled([move(p.expertA, id, 'claim'), move(p.expertB, id, 'claim')]);
    const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const lost = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    assert.equal(won.length, 1, JSON.stringify(outcomes.map((outcome) => (outcome.status === 'rejected' ? String(outcome.reason) : 'ok'))));
    const owner = (await context.db.referral.findUniqueOrThrow({ where: { id } })).ownerId;
    const winner = owner === p.expertA.userId ? p.expertA : p.expertB;
    assert.deepEqual([lost[0].reason.code, lost[0].reason.userMessage], ['CONFLICT', `${winner.name} claimed this case first.`]);
    await move(p.requester, id, 'cancel');
  });

  it('tells a service member who claims a case a colleague claimed a moment before who took it (not NOT_FOUND)', async () => {
    const id = await caseIn('REQUESTED');
    await move(p.expertA, id, 'claim');
    assert.deepEqual(await refusal(move(p.expertB, id, 'claim')), { code: 'CONFLICT', userMessage: `${p.expertA.name} claimed this case first.` });
    // Anything else of the case stays hidden from them, and so does the claim to those never addressed
    assert.equal((await refusal(getReferral(context, p.expertB, id))).code, 'NOT_FOUND');
    assert.equal((await refusal(move(p.expertB, id, 'decline'))).code, 'NOT_FOUND');
    assert.equal((await refusal(move(p.bystander, id, 'claim'))).code, 'NOT_FOUND');
    assert.equal((await refusal(move(p.expertC, id, 'claim'))).code, 'NOT_FOUND');
  });

  it('refuses a move on a case changed since the caller read it (revision)', async () => {
    const id = await caseIn('ACCEPTED');
    const stale = await refusal(transitionReferral(context, p.expertA, id, { action: 'start', revision: 1 }));
    assert.deepEqual(stale, { code: 'CONFLICT', userMessage: 'The case changed meanwhile. Reload it to see what is new.' });
    assert.equal((await transitionReferral(context, p.expertA, id, { action: 'start', revision: 3 })).status, 'IN_PROGRESS');
  });

  it('refuses to address a case to oneself, to a party, to the same addressee, or to someone unknown', async () => {
    // The expert who took it may give it back to its service's pool
    const backToPool = await caseIn('ACCEPTED');
    assert.equal((await transitionReferral(context, p.expertA, backToPool, { action: 'forward', addressee: { serviceId: cast.services.neuro }, reason: 'Back to the pool' })).status, 'REQUESTED');
    assert.equal((await context.db.referral.findUniqueOrThrow({ where: { id: backToPool } })).ownerId, null);
    // but a waiting case is not forwarded to where it already waits; a declined one may go back to the pool
    const sameService = await refusal(transitionReferral(context, p.expertB, await caseIn('REQUESTED'), { action: 'forward', addressee: { serviceId: cast.services.neuro }, reason: 'x' }));
    assert.deepEqual(sameService, { code: 'INVALID_INPUT', userMessage: 'The case is already addressed there.' });
    const backAfterDecline = await caseIn('DECLINED');
    assert.equal((await transitionReferral(context, p.requester, backAfterDecline, { action: 'redirect', addressee: { serviceId: cast.services.neuro } })).status, 'REQUESTED');
    await move(p.requester, backAfterDecline, 'cancel');
    const toRequester = await refusal(transitionReferral(context, p.expertA, await caseIn('ACCEPTED'), { action: 'forward', addressee: { userId: p.requester.userId }, reason: 'x' }));
    assert.equal(toRequester.code, 'INVALID_INPUT');
    const toSelf = await refusal(createReferral(context, p.requester, { studyInstanceUids: [cast.studies.primary.uid], question: 'q', addressee: { userId: p.requester.userId } }));
    assert.equal(toSelf.code, 'INVALID_INPUT');
    const unknown = await refusal(createReferral(context, p.requester, { studyInstanceUids: [cast.studies.primary.uid], question: 'q', addressee: { serviceId: 'nope' } }));
    assert.equal(unknown.code, 'INVALID_INPUT');
    // A study the expert reads only through a case's grant is not theirs to send on
    const granted = await caseIn('REQUESTED');
    assert.ok((await reads('expertA', cast.studies)).includes('primary'), 'expert A reads it, through the grant');
    assert.equal((await refusal(createReferral(context, p.expertA, { studyInstanceUids: [cast.studies.primary.uid], question: 'q', addressee: { serviceId: cast.services.chest } }))).code, 'NOT_FOUND');
    await move(p.requester, granted, 'cancel');
    // A study the requester cannot share (another facility's; a prior of another patient)
    assert.equal((await refusal(createReferral(context, p.requester, { studyInstanceUids: [cast.studies.hill.uid], question: 'q', addressee: { serviceId: cast.services.neuro } }))).code, 'NOT_FOUND');
    assert.equal((await refusal(createReferral(context, p.requester, { studyInstanceUids: [cast.studies.primary.uid, cast.studies.unrelated.uid], question: 'q', addressee: { serviceId: cast.services.neuro } }))).code, 'INVALID_INPUT');
  });
});
