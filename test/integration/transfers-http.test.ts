// The transfer-notice routes (issue 17, app/api/transfers) on a running node (SQLite, or
// PostgreSQL with TEST_DATABASE=postgres), called as functions (no Next build) with real
// session cookies and Origin headers: status codes and JSON bodies exactly as each
// route's header comment documents them; 401 without a session, 403 for a change from
// another origin, 404 for a notice the caller takes no part in (the refused attempt
// recorded for the sending facility, whose patient it is).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GET as choicesRoute } from '../../app/api/transfers/choices/route';
import { GET as listRoute, POST as sendRoute } from '../../app/api/transfers/route';
import { GET as viewRoute, PATCH as updateRoute } from '../../app/api/transfers/[id]/route';
import { POST as actionsRoute } from '../../app/api/transfers/[id]/actions/route';
import { POST as messagesRoute } from '../../app/api/transfers/[id]/messages/route';
import { POST as consultationRoute } from '../../app/api/transfers/[id]/consultation/route';
import { POST as identifyRoute } from '../../app/api/transfers/[id]/identify/route';
import { auditQueueFor } from '../../lib/audit/audit-queue';
import { SESSION_COOKIE_NAME, createSession, hashPassword } from '../../lib/auth';
import { createFacility, createUser } from '../../lib/policy/test-fixtures';
import type { Principal } from '../../lib/policy/principal';
import { getRuntime, type Runtime } from '../../lib/runtime';
import { makeStudy } from '../support/fixtures';
import { startTestServer, type TestServer } from '../support/test-server';

const PASSWORD = 'transfer http test password';
type Json = Record<string, unknown>;
type Who = 'sender' | 'expert' | 'neuro' | 'neuro2' | 'cardio' | 'outsider';

const ct = makeStudy({ series: 1, instancesPerSeries: 1, seed: 'tx-http-ct', patientId: 'H-1', patientName: 'Http^Hanna', issuerOfPatientId: 'DISTRICT', studyDescription: 'CT HEAD' });
const away = makeStudy({ series: 1, instancesPerSeries: 1, seed: 'tx-http-away', patientId: 'E-9', patientName: 'Away^Anna', issuerOfPatientId: 'ELSEWHERE' });

describe('transfer notices over HTTP', () => {
  let server: TestServer;
  let context: Runtime;
  let district: string;
  let regional: string;
  let stroke: string;
  let cardiology: string;
  const people = {} as Record<Who, Principal>;
  let keys = 0;
  const key = () => `http-key-${++keys}-abcdefgh`;

  async function request(method: string, route: string, who: Who | null, payload?: unknown, origin?: string): Promise<Request> {
    const url = new URL(route, server.url);
    const headers: Record<string, string> = { origin: origin ?? url.origin, host: url.host };
    if (who) headers.cookie = `${SESSION_COOKIE_NAME}=${(await createSession(context.db, { userId: people[who].userId, ttlHours: 1 })).token}`;
    if (payload !== undefined) headers['content-type'] = 'application/json';
    return new Request(url, { method, headers, body: payload === undefined ? undefined : typeof payload === 'string' ? payload : JSON.stringify(payload) });
  }
  const params = (id: string) => ({ params: Promise.resolve({ id }) });
  const answer = async (response: Response) => ({ status: response.status, body: (await response.json()) as Json });

  const send = async (who: Who | null, body: unknown, origin?: string) => answer(await sendRoute(await request('POST', '/api/transfers', who, body, origin)));
  const view = async (who: Who, id: string) => answer(await viewRoute(await request('GET', `/api/transfers/${id}`, who), params(id)));
  const update = async (who: Who, id: string, body: unknown) => answer(await updateRoute(await request('PATCH', `/api/transfers/${id}`, who, body), params(id)));
  const act = async (who: Who, id: string, body: unknown, origin?: string) => answer(await actionsRoute(await request('POST', `/api/transfers/${id}/actions`, who, body, origin), params(id)));
  const message = async (who: Who, id: string, body: unknown) => answer(await messagesRoute(await request('POST', `/api/transfers/${id}/messages`, who, body), params(id)));
  const consult = async (who: Who, id: string) => answer(await consultationRoute(await request('POST', `/api/transfers/${id}/consultation`, who), params(id)));
  const identify = async (who: Who, id: string, body: unknown) => answer(await identifyRoute(await request('POST', `/api/transfers/${id}/identify`, who, body), params(id)));
  const list = async (who: Who, query: string) => answer(await listRoute(await request('GET', `/api/transfers${query}`, who)));
  const valid = (extra: Json = {}) => ({ clientKey: key(), serviceId: stroke, condition: 'STROKE', etaMinutes: 30, studyInstanceUids: [ct.studyInstanceUid], ...extra });

  /** The refused attempt, once the audit queue wrote it */
  async function refusedRow(actorUserId: string, resource: string) {
    for (let attempt = 0; attempt < 50; attempt++) {
      await auditQueueFor(context).flush();
      const row = await context.db.auditEvent.findFirst({ where: { actorUserId, resource, outcome: { not: 'SUCCESS' } }, orderBy: { at: 'desc' } });
      if (row) return row;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.fail(`no refused attempt by ${actorUserId} on ${resource}`);
  }

  before(async () => {
    server = await startTestServer();
    context = getRuntime();
    district = (await createFacility(context.db, 'District Hospital')).id;
    regional = (await createFacility(context.db, 'Regional Hospital')).id;
    const elsewhere = (await createFacility(context.db, 'Elsewhere Clinic')).id;
    for (const file of ct) await server.node.archive.ingest(file, { kind: 'import', source: 'transfer-http-test' }, district);
    for (const file of away) await server.node.archive.ingest(file, { kind: 'import', source: 'transfer-http-test' }, elsewhere);
    const passwordHash = await hashPassword(PASSWORD);
    const make = async (who: Who, facilityId: string, role: 'EMERGENCY' | 'EXPERT') => {
      const email = `${who}@transfer-http.example`;
      people[who] = { userId: (await createUser(context.db, { email, name: `Dr ${who}`, passwordHash, memberships: [{ facilityId, role }] })).id, email, ip: '127.0.0.1' };
    };
    await make('sender', district, 'EMERGENCY');
    await make('expert', district, 'EXPERT');
    await make('neuro', regional, 'EXPERT');
    await make('neuro2', regional, 'EXPERT');
    await make('cardio', regional, 'EXPERT');
    await make('outsider', elsewhere, 'EXPERT');
    stroke = (await context.db.service.create({ data: { facilityId: regional, name: 'Stroke unit', transferEscalationMinutes: 60 } })).id;
    cardiology = (await context.db.service.create({ data: { facilityId: regional, name: 'Cardiology', transferEscalationMinutes: 60 } })).id;
    for (const who of ['neuro', 'neuro2'] as const) await context.db.serviceMember.create({ data: { serviceId: stroke, userId: people[who].userId } });
    await context.db.serviceMember.create({ data: { serviceId: cardiology, userId: people.cardio.userId } });
  });
  after(async () => {
    await auditQueueFor(context).flush(true);
    await server?.stop();
  });

  it('POST /api/transfers: 401 without a session, 403 from another origin, nothing stored', async () => {
    assert.deepEqual(await send(null, valid()), { status: 401, body: { error: 'UNAUTHENTICATED', message: 'Sign in first.' } });
    assert.deepEqual(await send('sender', valid(), 'https://evil.example'), { status: 403, body: { error: 'CROSS_ORIGIN', message: 'This request must come from a Telepacs page.' } });
    assert.equal((await listRoute(await request('GET', '/api/transfers', null))).status, 401);
    assert.equal(await context.db.transferNotice.count(), 0);
  });

  it('POST /api/transfers: 201 created, 200 for the same clientKey; 400 with fields; 409 CONFIRMATION_REQUIRED; 403; 404', async () => {
    const body = valid();
    const created = await send('sender', body);
    assert.equal(created.status, 201);
    assert.deepEqual(Object.keys(created.body).sort(), ['created', 'id', 'path']);
    assert.deepEqual([created.body.created, created.body.path], [true, `/transfers/${created.body.id}`]);
    assert.deepEqual(await send('sender', body), { status: 200, body: { id: created.body.id, created: false, path: `/transfers/${created.body.id}` } });

    const missing = await send('sender', { clientKey: key(), condition: 'STROKE', studyInstanceUids: [ct.studyInstanceUid] });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error, 'INVALID_INPUT');
    assert.equal(typeof missing.body.message, 'string');
    assert.deepEqual(missing.body.fields, { serviceId: 'Choose the receiving service', etaMinutes: 'Give the ETA' });
    assert.deepEqual((await send('sender', valid({ serviceId: 'nope' }))).body.fields, { serviceId: 'Choose the receiving service from the list' });
    const past = await send('sender', valid({ etaMinutes: undefined, etaAt: new Date(Date.now() - 3_600_000).toISOString() }));
    assert.deepEqual([past.status, past.body.fields], [400, { etaMinutes: 'The ETA is in the past' }]);
    const far = await send('sender', valid({ etaMinutes: 25 * 60 }));
    assert.deepEqual([far.status, far.body.fields], [400, { etaMinutes: 'An ETA is at most 24 hours away' }]);
    const impossible = await send('sender', valid({ vitals: { spo2: 120 } }));
    assert.deepEqual([impossible.status, impossible.body.fields], [400, { vitals: 'SpO2 must be between 0 and 100', 'vitals.spo2': 'SpO2 must be between 0 and 100' }]);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    assert.deepEqual((await send('sender', valid({ onsetAt: future }))).body.fields, { onsetAt: 'The time of onset is in the future' });
    assert.deepEqual((await send('sender', valid({ vitals: { gcs: 14, takenAt: future } }))).body.fields, { 'vitals.takenAt': 'The time is in the future' });
    const twoPatientsAtOnce = await send('sender', valid({ unidentified: false, studyInstanceUids: [ct.studyInstanceUid, ct.studyInstanceUid] }));
    assert.equal(twoPatientsAtOnce.status, 201, 'the same study twice is one study');
    assert.equal((await act('sender', String(twoPatientsAtOnce.body.id), { action: 'cancel' })).status, 200);
    const broken = await sendRoute(await request('POST', '/api/transfers', 'sender', '{not json'));
    assert.equal(broken.status, 400, 'a body that is not JSON: the form’s fields are missing');

    const unusual = valid({ vitals: { systolic: 40 } });
    const asked = await send('sender', unusual);
    assert.equal(asked.status, 409);
    assert.deepEqual(asked.body, {
      error: 'CONFIRMATION_REQUIRED',
      message: 'Check these values: Systolic BP 40 mmHg is outside 50–250: is it right? Send again to confirm them.',
      fields: { 'vitals.systolic': 'Systolic BP 40 mmHg is outside 50–250: is it right?' },
      confirm: 'vitals',
    });
    assert.equal((await send('sender', { ...unusual, confirmVitals: true })).status, 201);

    assert.deepEqual((await send('expert', valid())).status, 403);
    assert.equal((await send('expert', valid())).body.error, 'FORBIDDEN');
    const otherStudy = await send('sender', valid({ studyInstanceUids: [away.studyInstanceUid] }));
    assert.deepEqual([otherStudy.status, otherStudy.body.error], [404, 'NOT_FOUND']);
    assert.equal(await context.db.transferNotice.count(), 3, 'the first, the one with the study twice, the confirmed one');
    for (const notice of await context.db.transferNotice.findMany({ where: { status: 'SENT' } })) assert.equal((await act('sender', notice.id, { action: 'cancel' })).status, 200);
  });

  it('GET /api/transfers/{id}: the parties see it (the receiver’s first opening is “seen”); 404 for an outsider, audited for the sending facility', async () => {
    const { body } = await send('sender', valid({ findings: 'Right hemiparesis' }));
    const id = String(body.id);
    const seen = await view('neuro', id);
    assert.equal(seen.status, 200);
    assert.deepEqual([seen.body.id, seen.body.status, seen.body.findings, seen.body.sides], [id, 'SENT', 'Right hemiparesis', ['RECEIVER']]);
    assert.equal((seen.body.firstSeen as { by: string }).by, 'Dr neuro');
    assert.deepEqual((seen.body.may as Json).acknowledge, true);
    assert.deepEqual(((await view('sender', id)).body.sides), ['SENDER']);

    // The sending facility's other members read it (the patient's record there), and write nothing
    const record = await view('expert', id);
    assert.deepEqual([record.status, record.body.sides, (record.body.may as Json).message], [200, ['RECORD'], false]);
    assert.deepEqual([(await message('expert', id, { body: 'hi' })).status, (await act('expert', id, { action: 'cancel' })).status], [403, 403]);

    for (const who of ['outsider', 'cardio'] as const) {
      const refused = await view(who, id);
      assert.deepEqual(refused.status, 404, who);
      assert.equal(refused.body.error, 'NOT_FOUND');
      const row = await refusedRow(people[who].userId, `GET /api/transfers/${id}`);
      assert.deepEqual([row.action, row.facilityId, row.patientId, row.studyUid], ['transfer.view', district, 'H-1', ct.studyInstanceUid]);
    }
    const missing = await view('outsider', 'no-such-notice');
    assert.equal(missing.status, 404, 'the same answer as for one that does not exist');
    const actOutside = await act('outsider', id, { action: 'acknowledge' });
    assert.deepEqual([actOutside.status, actOutside.body.error], [404, 'NOT_FOUND']);
    await refusedRow(people.outsider.userId, `POST /api/transfers/${id}/actions`);
    assert.equal((await message('outsider', id, { body: 'hi' })).status, 404);
    assert.equal((await update('outsider', id, { etaMinutes: 5 })).status, 404);
    // A party's own 404 (a study its facility does not hold) is no refused attempt at the notice
    const foreign = await update('sender', id, { studyInstanceUids: [away.studyInstanceUid] });
    assert.deepEqual([foreign.status, foreign.body.error], [404, 'NOT_FOUND']);
    await auditQueueFor(context).flush();
    assert.equal(await context.db.auditEvent.count({ where: { actorUserId: people.sender.userId, resource: `PATCH /api/transfers/${id}` } }), 0);
    assert.equal((await act('sender', id, { action: 'cancel' })).status, 200);
  });

  it('POST /api/transfers/{id}/actions: every state and refusal, with its status code', async () => {
    const id = String((await send('sender', valid())).body.id);
    assert.equal((await act('neuro', id, { action: 'acknowledge' }, 'https://evil.example')).status, 403, 'cross-origin');
    const wrongSide = await act('sender', id, { action: 'acknowledge' });
    assert.deepEqual(wrongSide, { status: 403, body: { error: 'FORBIDDEN', message: 'Only the receiving team acknowledges a notice.' } });
    const wave = await act('neuro', id, { action: 'wave' });
    assert.deepEqual([wave.status, wave.body.error, wave.body.fields], [400, 'INVALID_INPUT', { action: 'Choose acknowledge, accept, redirect, arrive or cancel' }]);
    const [a, b] = await Promise.all([act('neuro', id, { action: 'acknowledge' }), act('neuro2', id, { action: 'acknowledge' })]);
    const [won, lost] = a.status === 200 ? [a, b] : [b, a];
    assert.deepEqual(won, { status: 200, body: { id, status: 'ACKNOWLEDGED' } });
    assert.equal(lost.status, 409);
    assert.equal(lost.body.error, 'CONFLICT');
    assert.equal(lost.body.status, 'ACKNOWLEDGED');
    assert.equal(lost.body.message, `This notice is already acknowledged by Dr ${won === a ? 'neuro' : 'neuro2'}: nothing was changed.`);

    const cancelByReceiver = await act('neuro', id, { action: 'cancel' });
    assert.deepEqual(cancelByReceiver, { status: 403, body: { error: 'FORBIDDEN', message: 'Only the sending team cancels a notice.' } });
    assert.deepEqual(await act('neuro', id, { action: 'accept', note: 'Bed 4' }), { status: 200, body: { id, status: 'ACCEPTED' } });
    const noReason = await act('neuro', id, { action: 'redirect', serviceId: cardiology });
    assert.deepEqual([noReason.status, noReason.body.fields], [400, { reason: 'Say why it goes elsewhere' }]);
    const same = await act('neuro', id, { action: 'redirect', serviceId: stroke, reason: 'x' });
    assert.deepEqual([same.status, same.body.fields], [400, { serviceId: 'Choose another service' }]);
    assert.deepEqual(await act('neuro', id, { action: 'redirect', serviceId: cardiology, reason: 'STEMI on ECG' }), { status: 200, body: { id, status: 'SENT' } });
    assert.equal((await view('neuro', id)).status, 404, 'the stroke unit lost it');
    assert.equal((await view('cardio', id)).status, 200);

    assert.equal((await message('cardio', id, { body: 'ETA?' })).status, 201);
    const reply = await message('sender', id, { body: '10 minutes' });
    assert.deepEqual([reply.status, Object.keys(reply.body)], [201, ['id']]);
    assert.deepEqual((await message('sender', id, { body: '' })).body.fields, { body: 'Write the message' });

    const patched = await update('sender', id, { etaMinutes: 10, vitals: { heartRate: 90 } });
    assert.equal(patched.status, 200);
    assert.deepEqual(Object.keys(patched.body).sort(), ['id', 'revision']);
    const unusual = await update('sender', id, { vitals: { heartRate: 250 } });
    assert.deepEqual([unusual.status, unusual.body.error, unusual.body.confirm], [409, 'CONFIRMATION_REQUIRED', 'vitals']);
    assert.equal((await update('sender', id, { vitals: { heartRate: 250 }, confirmVitals: true })).status, 200);
    assert.deepEqual((await update('sender', id, {})).body.fields, { vitals: 'Nothing to update: give vitals, an ETA or a study' });
    assert.equal((await update('cardio', id, { etaMinutes: 3 })).status, 403, 'only the sending team updates');

    assert.deepEqual(await act('cardio', id, { action: 'arrive' }), { status: 200, body: { id, status: 'ARRIVED' } });
    const late = await update('sender', id, { etaMinutes: 3 });
    assert.deepEqual(late, { status: 409, body: { error: 'CONFLICT', message: 'This notice is closed: the patient has arrived: nothing was changed.' } });
    const cancelAfter = await act('sender', id, { action: 'cancel' });
    assert.deepEqual([cancelAfter.status, cancelAfter.body.status], [409, 'ARRIVED']);

    const other = String((await send('sender', valid())).body.id);
    assert.deepEqual(await act('sender', other, { action: 'cancel', reason: 'Stayed here' }), { status: 200, body: { id: other, status: 'CANCELLED' } });
    const onCancelled = await message('neuro', other, { body: 'Still coming?' });
    assert.deepEqual(onCancelled, { status: 409, body: { error: 'CONFLICT', message: 'This notice is cancelled: call the sender instead.' } });
  });

  it('POST /api/transfers/{id}/consultation: 409 before anyone acknowledged, 201 then 200 (reused)', async () => {
    const id = String((await send('sender', valid())).body.id);
    const early = await consult('sender', id);
    assert.deepEqual([early.status, early.body.error], [409, 'CONFLICT']);
    await act('neuro', id, { action: 'acknowledge' });
    const started = await consult('neuro', id);
    assert.equal(started.status, 201);
    assert.deepEqual([started.body.created, started.body.path], [true, `/consultations/${started.body.id}`]);
    assert.deepEqual(await consult('neuro', id), { status: 200, body: { id: started.body.id, created: false, path: `/consultations/${started.body.id}` } });
    assert.equal((await consult('outsider', id)).status, 404);
    await act('sender', id, { action: 'cancel' });
    assert.equal((await consult('neuro', id)).status, 409, 'not on a closed notice');
  });

  it('POST /api/transfers/{id}/identify: the sending team names the record; 403, 404, 409', async () => {
    const id = String((await send('sender', { clientKey: key(), serviceId: stroke, condition: 'TRAUMA', etaMinutes: 20, unidentified: true })).body.id);
    const record = (await context.db.study.findUniqueOrThrow({ where: { facilityId_studyInstanceUid: { facilityId: district, studyInstanceUid: ct.studyInstanceUid } } })).patientRef;
    const foreign = (await context.db.study.findFirstOrThrow({ where: { studyInstanceUid: away.studyInstanceUid } })).patientRef;
    assert.deepEqual([(await identify('neuro', id, { patientRef: record })).status, (await identify('neuro', id, { patientRef: record })).body.error], [403, 'FORBIDDEN']);
    assert.deepEqual((await identify('sender', id, {})).body.fields, { patientRef: 'Choose the patient’s record' });
    assert.deepEqual([(await identify('sender', id, { patientRef: foreign })).status], [404]);
    assert.deepEqual(await identify('sender', id, { patientRef: record }), { status: 200, body: { id, patientRef: record } });
    assert.equal((await view('neuro', id)).body.patient && ((await view('neuro', id)).body.patient as Json).patientId, 'H-1');
    assert.deepEqual(await identify('sender', id, { patientRef: record }), { status: 409, body: { error: 'CONFLICT', message: 'This patient is identified already.' } });
    assert.equal((await identify('outsider', id, { patientRef: record })).status, 404);
    await act('sender', id, { action: 'cancel' });
  });

  it('GET /api/transfers?box=board|sent|alarms and /choices', async () => {
    const id = String((await send('sender', valid())).body.id);
    const alarms = await list('neuro', '?box=alarms');
    assert.equal(alarms.status, 200);
    assert.deepEqual((alarms.body.rows as Json[]).map((row) => row.id), [id]);
    const board = await list('neuro', '');
    assert.equal(board.status, 200);
    assert.deepEqual(Object.keys(board.body).sort(), ['closed', 'open', 'serviceId', 'services']);
    assert.equal(board.body.serviceId, stroke);
    assert.deepEqual((board.body.open as Json[]).map((row) => row.id), [id]);
    assert.equal((await list('neuro', `?box=board&serviceId=${cardiology}`)).status, 404, 'not a service of the reader');
    const sent = await list('sender', '?box=sent');
    assert.deepEqual([sent.status, Object.keys(sent.body).sort()], [200, ['closed', 'open']]);
    assert.deepEqual((sent.body.open as Json[]).map((row) => row.id), [id]);
    assert.deepEqual((await list('outsider', '?box=alarms')).body, { rows: [] });
    const unknownBox = await list('neuro', '?box=inbox');
    assert.deepEqual(unknownBox, { status: 400, body: { error: 'INVALID_INPUT', message: 'Choose board, sent or alarms.', fields: { box: 'Choose board, sent or alarms' } } });

    const choices = await answer(await choicesRoute(await request('GET', `/api/transfers/choices?study=${ct.studyInstanceUid}`, 'sender')));
    assert.equal(choices.status, 200);
    assert.deepEqual(Object.keys(choices.body).sort(), ['facility', 'patient', 'preselected', 'services', 'studies']);
    assert.equal((await choicesRoute(await request('GET', '/api/transfers/choices', 'expert'))).status, 403);
    await act('sender', id, { action: 'cancel' });
  });
});
