// Emergency transfer notices (issue 17, lib/transfers) on a real node (SQLite, or
// PostgreSQL with TEST_DATABASE=postgres), with studies ingested from DICOM fixtures at
// the district hospital and the regional hospital's teams reading them over real
// DICOMweb (HTTP Basic): a notice sent once per clientKey (also two Sends at once),
// refused at its field for bad input, asked again for unusual vitals, NOT_FOUND for
// another facility's study, FORBIDDEN for a clinician without a sending role; an
// unidentified patient under a temporary ID, granted once their first images are added.
// The receiving service reads the images at once on the vital-interest basis (a
// TRANSFER_NOTICE override in the privacy officer's queue), nobody else does; every
// state and refusal of acknowledge/accept/redirect/arrive/cancel, Ask both ways; the
// access ends at the arrival (or ETA) + the service's hours (the expiry job, driven by a
// clock). Racing clicks: an accept against a redirect, an ETA against the arrival — the
// first wins. A redirect (also to another facility) takes the old team's reads away,
// teleconsultation included. The alarm and the news reach the right sockets, and nobody
// else's; an escalated alarm rings the admins' pages. Then, on a
// second database with no node: a notice nobody acknowledged escalates once, after a
// restart, to the on-call list and the facility's admins by real e-mail (SMTP capture)
// and to the paging webhook (a real local HTTP server, retried after its 500).
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { io as connect, type Socket } from 'socket.io-client';
import { SESSION_COOKIE_NAME, createSession, hashPassword } from '../../lib/auth';
import { auditQueueFor } from '../../lib/audit/audit-queue';
import { createExpireOverrideJob } from '../../lib/emergency-override/expire-override-job';
import { listOverrides } from '../../lib/emergency-override/list-overrides';
import { DomainError } from '../../lib/errors';
import { loadConfig } from '../../lib/config/config';
import { startJobRunner, type JobRunner } from '../../lib/jobs/job-runner';
import { createJobRegistry } from '../../lib/jobs/registry';
import { createFacility, createUser } from '../../lib/policy/test-fixtures';
import { CONSULT_EVENTS, CONSULT_NAMESPACE, REALTIME_EVENTS, REALTIME_NAMESPACE, type TransferAlarmPayload, type TransferChangedPayload } from '../../lib/realtime/events';
import { jobDefinitions } from '../../lib/server/job-handlers';
import { actOnTransfer } from '../../lib/transfers/act-on-transfer';
import { getTransfer } from '../../lib/transfers/get-transfer';
import { sendTransfer, type TransferActor } from '../../lib/transfers/send-transfer';
import { postTransferMessage } from '../../lib/transfers/transfer-messages';
import { startTransferConsultation } from '../../lib/transfers/start-transfer-consultation';
import { updateTransfer } from '../../lib/transfers/update-transfer';
import { silentLogger } from '../../pacs-core/logger';
import { createDatabase, type Database } from '../../prisma/database';
import { createArchiveHarness, type ArchiveHarness } from '../support/archive-harness';
import { basicAuthHeader } from '../support/dicomweb-client';
import { makeStudy } from '../support/fixtures';
import { hasAiosmtpd, header, startSmtpServer, type SmtpServer } from '../support/smtp-server';
import { testDatabaseKind } from '../support/test-database';
import { startTestServer, type TestServer } from '../support/test-server';

const PASSWORD = 'transfer notice test password';
const HOUR = 3_600_000;
const MINUTE = 60_000;

const ctOf = (seed: string, patientId: string, patientName: string) =>
  makeStudy({ series: 1, instancesPerSeries: 1, seed, patientId, patientName, issuerOfPatientId: 'DISTRICT', studyDescription: 'CT HEAD' });

/** The error code (DomainError, PolicyError) a promise rejects with, and the error */
async function refusal(work: Promise<unknown>): Promise<DomainError> {
  try {
    await work;
  } catch (error) {
    assert.ok(error instanceof DomainError, String(error));
    return error;
  }
  assert.fail('expected a refusal');
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

type Who = 'sender' | 'referring' | 'expert' | 'privacy' | 'neuro' | 'neuro2' | 'cardio' | 'regionalAdmin' | 'outsider';

describe('transfer notices', () => {
  let server: TestServer;
  // The district's patients: each scenario its own study (grants on one study do not mix)
  const main = ctOf('tx-main', 'D-1', 'Stroke^Sam');
  const mainMr = makeStudy({ series: 1, instancesPerSeries: 1, seed: 'tx-main-mr', patientId: 'D-1', patientName: 'Stroke^Sam', issuerOfPatientId: 'DISTRICT', studyDescription: 'MR HEAD', modality: 'MR' });
  const otherPatient = ctOf('tx-other', 'D-2', 'Other^Olga');
  const expiring = ctOf('tx-expire', 'D-3', 'Clock^Clara');
  const cancelled = ctOf('tx-cancel', 'D-4', 'Cancel^Carl');
  const unknown = ctOf('tx-unknown', 'D-5', 'Later^Lars');
  const twice = ctOf('tx-twice', 'D-6', 'Twice^Tom');
  const racing = ctOf('tx-racing', 'D-7', 'Race^Rita');
  const elsewhereCt = ctOf('tx-elsewhere', 'E-1', 'Away^Anna');
  let district: string;
  let regional: string;
  let elsewhere: string;
  let stroke: string;
  let cardiology: string;
  let awayService: string;
  const people = {} as Record<Who, TransferActor & { email: string; ip: string }>;
  const sockets: Socket[] = [];

  const context = () => server.node.runtime;
  const db = () => server.node.db;
  const send = (who: Who, input: Record<string, unknown>, now?: Date) => sendTransfer(context(), people[who], { condition: 'STROKE', etaMinutes: 40, ...input }, now);
  const act = (who: Who, id: string, input: Record<string, unknown>, now?: Date) => actOnTransfer(context(), people[who], id, input, now);
  let clientKeys = 0;
  const key = () => `test-key-${++clientKeys}-abcdef`;

  /** QIDO-RS matches for a study UID as this user over HTTP Basic (the archive's real scope) */
  async function qido(who: Who, uid: string): Promise<string[]> {
    const response = await fetch(`${server.dicomwebUrl}/studies?StudyInstanceUID=${uid}`, { headers: { authorization: basicAuthHeader(people[who].email, PASSWORD) } });
    if (response.status === 204) return [];
    assert.equal(response.status, 200);
    return ((await response.json()) as { '0020000D': { Value: string[] } }[]).map((match) => match['0020000D'].Value[0]);
  }
  const wado = async (who: Who, uid: string) => (await fetch(`${server.dicomwebUrl}/studies/${uid}/metadata`, { headers: { authorization: basicAuthHeader(people[who].email, PASSWORD) } })).status;
  const reads = async (who: Who, uid: string) => ({ qido: (await qido(who, uid)).length, wado: await wado(who, uid) });
  const READS = { qido: 1, wado: 200 };
  const NOTHING = { qido: 0, wado: 404 };

  async function socketOf(who: Who): Promise<Socket & { heard: [string, unknown][] }> {
    const { token } = await createSession(db(), { userId: people[who].userId, ttlHours: 1 });
    const socket = connect(`${server.url}${REALTIME_NAMESPACE}`, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie: `${SESSION_COOKIE_NAME}=${token}` } }) as Socket & { heard: [string, unknown][] };
    sockets.push(socket);
    socket.heard = [];
    socket.onAny((event: string, payload: unknown) => socket.heard.push([event, payload]));
    await new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(undefined));
      socket.once('connect_error', reject);
    });
    return socket;
  }
  const heardOf = (socket: Socket & { heard: [string, unknown][] }, event: string, noticeId: string) => socket.heard.filter(([name, payload]) => name === event && (payload as { noticeId: string }).noticeId === noticeId).map(([, payload]) => payload);

  before(async () => {
    server = await startTestServer({ env: { REGION_PATIENT_ID_ISSUER: 'REGION' } });
    district = (await createFacility(db(), 'District Hospital')).id;
    regional = (await createFacility(db(), 'Regional Hospital')).id;
    elsewhere = (await createFacility(db(), 'Elsewhere Clinic')).id;
    for (const file of [...main, ...mainMr, ...otherPatient, ...expiring, ...cancelled, ...unknown, ...twice, ...racing]) await server.node.archive.ingest(file, { kind: 'import', source: 'transfer-test' }, district);
    for (const file of elsewhereCt) await server.node.archive.ingest(file, { kind: 'import', source: 'transfer-test' }, elsewhere);
    const passwordHash = await hashPassword(PASSWORD);
    const make = async (who: Who, facilityId: string, role: 'EMERGENCY' | 'REFERRING' | 'EXPERT' | 'PRIVACY_OFFICER' | 'ADMIN') => {
      const email = `${who.toLowerCase()}@transfer.example`;
      const user = await createUser(db(), { email, name: `Dr ${who}`, passwordHash, memberships: [{ facilityId, role }] });
      people[who] = { userId: user.id, email, ip: '127.0.0.1', actingFacilityId: facilityId };
    };
    await make('sender', district, 'EMERGENCY');
    await make('referring', district, 'REFERRING');
    await make('expert', district, 'EXPERT');
    await make('privacy', district, 'PRIVACY_OFFICER');
    await make('neuro', regional, 'EXPERT');
    await make('neuro2', regional, 'EXPERT');
    await make('cardio', regional, 'EXPERT');
    await make('regionalAdmin', regional, 'ADMIN');
    await make('outsider', elsewhere, 'EXPERT');
    // Escalation is checked on its own database below: here it stays out of the way
    stroke = (await db().service.create({ data: { facilityId: regional, name: 'Stroke unit', transferEscalationMinutes: 60, transferAccessHours: 6 } })).id;
    cardiology = (await db().service.create({ data: { facilityId: regional, name: 'Cardiology', transferEscalationMinutes: 60, transferAccessHours: 3 } })).id;
    awayService = (await db().service.create({ data: { facilityId: elsewhere, name: 'Away ward', transferEscalationMinutes: 60 } })).id;
    for (const who of ['neuro', 'neuro2'] as const) await db().serviceMember.create({ data: { serviceId: stroke, userId: people[who].userId } });
    await db().serviceMember.create({ data: { serviceId: cardiology, userId: people.cardio.userId } });
    await db().serviceMember.create({ data: { serviceId: awayService, userId: people.outsider.userId } });
  });
  after(async () => {
    for (const socket of sockets) socket.close();
    await auditQueueFor(context()).flush(true);
    await server?.stop();
  });

  describe('send', () => {
    it('refuses bad input at its field, writing nothing', async () => {
      const before = await db().transferNotice.count();
      const missing = await refusal(sendTransfer(context(), people.sender, { clientKey: key(), condition: 'STROKE', studyInstanceUids: [main.studyInstanceUid] }));
      assert.equal(missing.code, 'INVALID_INPUT');
      assert.deepEqual(Object.keys(missing.fields ?? {}).sort(), ['etaMinutes', 'serviceId']);
      assert.equal(missing.fields?.serviceId, 'Choose the receiving service');
      assert.equal(missing.fields?.etaMinutes, 'Give the ETA');

      const unknownService = await refusal(send('sender', { clientKey: key(), serviceId: 'no-such-service', studyInstanceUids: [main.studyInstanceUid] }));
      assert.deepEqual([unknownService.code, unknownService.fields], ['INVALID_INPUT', { serviceId: 'Choose the receiving service from the list' }]);

      const past = await refusal(sendTransfer(context(), people.sender, { clientKey: key(), serviceId: stroke, condition: 'STROKE', etaAt: new Date(Date.now() - HOUR).toISOString(), studyInstanceUids: [main.studyInstanceUid] }));
      assert.deepEqual([past.code, past.fields], ['INVALID_INPUT', { etaMinutes: 'The ETA is in the past' }]);
      const far = await refusal(sendTransfer(context(), people.sender, { clientKey: key(), serviceId: stroke, condition: 'STROKE', etaAt: new Date(Date.now() + 25 * HOUR).toISOString(), studyInstanceUids: [main.studyInstanceUid] }));
      assert.deepEqual([far.code, far.fields], ['INVALID_INPUT', { etaMinutes: 'An ETA is at most 24 hours away' }]);
      const farMinutes = await refusal(send('sender', { clientKey: key(), serviceId: stroke, etaMinutes: 24 * 60 + 1, studyInstanceUids: [main.studyInstanceUid] }));
      assert.deepEqual([farMinutes.code, farMinutes.fields], ['INVALID_INPUT', { etaMinutes: 'An ETA is at most 24 hours away' }]);

      const impossible = await refusal(send('sender', { clientKey: key(), serviceId: stroke, studyInstanceUids: [main.studyInstanceUid], vitals: { gcs: 2, heartRate: 400 } }));
      assert.equal(impossible.code, 'INVALID_INPUT');
      assert.equal(impossible.fields?.['vitals.gcs'], 'GCS must be between 3 and 15');
      assert.equal(impossible.fields?.['vitals.heartRate'], 'Heart rate must be between 0 and 350');

      const twoPatients = await refusal(send('sender', { clientKey: key(), serviceId: stroke, studyInstanceUids: [main.studyInstanceUid, otherPatient.studyInstanceUid] }));
      assert.deepEqual([twoPatients.code, twoPatients.fields], ['INVALID_INPUT', { studyInstanceUids: 'All studies must be of this patient' }]);

      const noPatient = await refusal(send('sender', { clientKey: key(), serviceId: stroke }));
      assert.deepEqual([noPatient.code, Object.keys(noPatient.fields ?? {})], ['INVALID_INPUT', ['patientRef']]);

      assert.equal(await db().transferNotice.count(), before);
      assert.equal(await db().emergencyOverride.count(), 0);
    });

    it('refuses another facility’s study (NOT_FOUND) and a clinician without a sending role (FORBIDDEN)', async () => {
      assert.equal((await refusal(send('sender', { clientKey: key(), serviceId: stroke, studyInstanceUids: [elsewhereCt.studyInstanceUid] }))).code, 'NOT_FOUND');
      assert.equal((await refusal(send('expert', { clientKey: key(), serviceId: stroke, studyInstanceUids: [main.studyInstanceUid] }))).code, 'FORBIDDEN');
      assert.equal((await refusal(send('neuro', { clientKey: key(), serviceId: cardiology, unidentified: true }))).code, 'FORBIDDEN', 'an expert of the receiving hospital does not send');
      assert.equal(await db().transferNotice.count(), 0);
    });

    it('asks again for vitals outside the physiological range, and takes them confirmed', async () => {
      const input = { clientKey: key(), serviceId: cardiology, condition: 'STEMI', studyInstanceUids: [twice.studyInstanceUid], vitals: { heartRate: 20, systolic: 120 } };
      const asked = await refusal(send('referring', input));
      assert.equal(asked.code, 'CONFIRMATION_REQUIRED');
      assert.deepEqual(Object.keys(asked.fields ?? {}), ['vitals.heartRate']);
      assert.match(asked.userMessage, /Send again to confirm/);
      assert.equal(await db().transferNotice.count(), 0);
      const sent = await send('referring', { ...input, confirmVitals: true });
      assert.equal(sent.created, true);
      const row = await db().transferNotice.findUniqueOrThrow({ where: { id: sent.id } });
      assert.deepEqual([row.status, row.senderId, (JSON.parse(row.vitals) as { heartRate: number }).heartRate], ['SENT', people.referring.userId, 20]);
      await act('referring', sent.id, { action: 'cancel', reason: 'test done' });
    });

    it('makes one notice for one clientKey: sent twice in a row, and twice at once', async () => {
      const clientKey = key();
      const input = { clientKey, serviceId: stroke, studyInstanceUids: [twice.studyInstanceUid] };
      const first = await send('sender', input);
      const again = await send('sender', input);
      assert.deepEqual([first.created, again.created, again.id], [true, false, first.id]);

      const raceKey = key();
      const raced = await Promise.all([send('sender', { ...input, clientKey: raceKey }), send('sender', { ...input, clientKey: raceKey })]);
      assert.equal(raced[0].id, raced[1].id);
      assert.deepEqual(raced.map((answer) => answer.created).sort(), [false, true]);
      for (const k of [clientKey, raceKey]) {
        const notices = await db().transferNotice.findMany({ where: { clientKey: k }, include: { events: { where: { action: 'send' } } } });
        assert.equal(notices.length, 1);
        assert.equal(notices[0].events.length, 1, 'one send in its timeline');
        assert.equal(await db().accessGrant.count({ where: { sourceType: 'transfer', sourceId: notices[0].id } }), 1);
        assert.equal(await db().job.count({ where: { type: 'transfer.escalate', key: { startsWith: `${notices[0].id}:` } } }), 1);
        await act('sender', notices[0].id, { action: 'cancel' });
      }
      assert.equal(await db().emergencyOverride.count({ where: { patientId: 'D-6' } }), 3, 'one basis per notice (the confirmed-vitals one, these two)');
    });

    it('gives an unidentified patient a temporary ID without access; their first study added makes the basis and the grant', async () => {
      const sent = await send('sender', { clientKey: key(), serviceId: stroke, unidentified: true, condition: 'TRAUMA' });
      const row = await db().transferNotice.findUniqueOrThrow({ where: { id: sent.id } });
      const today = new Date().toISOString().slice(0, 10).replaceAll('-', '');
      assert.match(row.patientId, new RegExp(`^EM-${today}-[A-HJ-NP-Z2-9]{4}$`));
      assert.deepEqual([row.patientRef, row.overrideId, row.unidentified], [null, null, true]);
      assert.equal(await db().accessGrant.count({ where: { sourceType: 'transfer', sourceId: sent.id } }), 0);
      assert.deepEqual(await reads('neuro', unknown.studyInstanceUid), NOTHING);

      await updateTransfer(context(), people.sender, sent.id, { studyInstanceUids: [unknown.studyInstanceUid] });
      const named = await db().transferNotice.findUniqueOrThrow({ where: { id: sent.id } });
      assert.equal(named.patientId, 'D-5', 'the images name the patient');
      assert.ok(named.overrideId, 'the vital-interest basis, made now');
      const grants = await db().accessGrant.findMany({ where: { sourceType: 'transfer', sourceId: sent.id } });
      assert.deepEqual(grants.map((grant) => [grant.granteeServiceId, grant.legalBasis, grant.overrideId, grant.studyInstanceUid]), [[stroke, 'VITAL_INTEREST', named.overrideId, unknown.studyInstanceUid]]);
      assert.deepEqual(await reads('neuro', unknown.studyInstanceUid), READS);
      await act('sender', sent.id, { action: 'cancel' });
      assert.deepEqual(await reads('neuro', unknown.studyInstanceUid), NOTHING);
    });
  });

  let noticeId = '';

  describe('access, states and refusals', () => {
    it('lets the receiving service read the images at once, and nobody else; the basis is in the privacy officer’s queue', async () => {
      const sent = await send('sender', { clientKey: key(), serviceId: stroke, studyInstanceUids: [main.studyInstanceUid], vitals: { gcs: 12, systolic: 180 }, findings: 'Left hemiparesis' });
      noticeId = sent.id;
      assert.deepEqual(await reads('neuro', main.studyInstanceUid), READS, 'the stroke unit reads at once');
      assert.deepEqual(await reads('neuro2', main.studyInstanceUid), READS);
      assert.deepEqual(await reads('cardio', main.studyInstanceUid), NOTHING, 'another service of the hospital');
      assert.deepEqual(await reads('outsider', main.studyInstanceUid), NOTHING, 'another facility');
      assert.deepEqual(await reads('neuro', mainMr.studyInstanceUid), NOTHING, 'a study not sent');

      const notice = await db().transferNotice.findUniqueOrThrow({ where: { id: sent.id } });
      assert.ok(notice.overrideId);
      const grants = await db().accessGrant.findMany({ where: { sourceType: 'transfer', sourceId: sent.id } });
      assert.deepEqual(grants.map((grant) => [grant.granteeServiceId, grant.purpose, grant.legalBasis, grant.overrideId, grant.validUntil?.getTime()]), [[stroke, 'EMERGENCY', 'VITAL_INTEREST', notice.overrideId, notice.etaAt.getTime() + 6 * HOUR]]);
      const override = await db().emergencyOverride.findUniqueOrThrow({ where: { id: notice.overrideId } });
      assert.deepEqual([override.reasonCode, override.userId, override.patientId, override.endsAt.getTime()], ['TRANSFER_NOTICE', people.sender.userId, 'D-1', notice.etaAt.getTime() + 6 * HOUR]);

      const queue = await listOverrides(context(), people.privacy.userId, {});
      const row = queue.find((entry) => entry.id === notice.overrideId);
      assert.ok(row, 'in the sending facility’s review queue');
      assert.match(row.reason, /Stroke unit, Regional Hospital/);
      assert.equal((await refusal(listOverrides(context(), people.outsider.userId, {}))).code, 'NOT_FOUND', 'no queue for another facility’s expert');
      assert.equal((await refusal(listOverrides(context(), people.neuro.userId, {}))).code, 'NOT_FOUND', 'nor for the receiving team');

      await auditQueueFor(context()).flush();
      const started = await db().auditEvent.findMany({ where: { action: 'override.start', resource: `emergency-override:${notice.overrideId}` } });
      assert.ok(started.some((entry) => entry.facilityId === district && entry.actorUserId === people.sender.userId && entry.outcome === 'SUCCESS'));
      const sentAudit = await db().auditEvent.findMany({ where: { action: 'transfer.send', resource: `transfer:${sent.id}` } });
      assert.deepEqual(sentAudit.map((entry) => [entry.facilityId, entry.patientId]).sort(), [[district, 'D-1'], [regional, null]].sort());
    });

    it('acknowledge: the receiving team only, once (the second names who); accept; Ask both ways', async () => {
      assert.equal((await refusal(act('sender', noticeId, { action: 'acknowledge' }))).code, 'FORBIDDEN');
      assert.equal((await refusal(act('outsider', noticeId, { action: 'acknowledge' }))).code, 'NOT_FOUND');
      assert.equal((await refusal(act('cardio', noticeId, { action: 'acknowledge' }))).code, 'NOT_FOUND');
      assert.deepEqual(await act('neuro', noticeId, { action: 'acknowledge' }), { id: noticeId, status: 'ACKNOWLEDGED' });
      const second = await refusal(act('neuro2', noticeId, { action: 'acknowledge' }));
      assert.equal(second.code, 'CONFLICT');
      assert.match(second.userMessage, /acknowledged by Dr neuro/);
      assert.equal((await db().transferNotice.findUniqueOrThrow({ where: { id: noticeId } })).acknowledgedById, people.neuro.userId);

      assert.equal((await refusal(act('neuro', noticeId, { action: 'cancel' }))).code, 'FORBIDDEN', 'the receiver does not cancel');
      assert.equal((await refusal(act('sender', noticeId, { action: 'accept' }))).code, 'FORBIDDEN');
      assert.deepEqual(await act('neuro2', noticeId, { action: 'accept', note: 'CT room 2 ready' }), { id: noticeId, status: 'ACCEPTED' });
      assert.equal((await refusal(act('neuro', noticeId, { action: 'acknowledge' }))).code, 'CONFLICT');

      await postTransferMessage(context(), people.neuro, noticeId, { body: 'Anticoagulants?' });
      await postTransferMessage(context(), people.sender, noticeId, { body: 'None.' });
      assert.equal((await refusal(postTransferMessage(context(), people.sender, noticeId, { body: '   ' }))).code, 'INVALID_INPUT');
      assert.equal((await refusal(postTransferMessage(context(), people.outsider, noticeId, { body: 'hello' }))).code, 'NOT_FOUND');
      const view = await getTransfer(context(), people.sender, noticeId);
      assert.equal(view.status, 'ACCEPTED');
      const thread = await db().transferMessage.findMany({ where: { noticeId }, orderBy: { createdAt: 'asc' } });
      assert.deepEqual(thread.map((message) => [message.authorId, message.body]), [[people.neuro.userId, 'Anticoagulants?'], [people.sender.userId, 'None.']]);
    });

    it('redirect: with a reason, to another service; the grants move at once, a new alarm and escalation there', async () => {
      const noReason = await refusal(act('neuro', noticeId, { action: 'redirect', serviceId: cardiology }));
      assert.deepEqual([noReason.code, noReason.fields?.reason], ['INVALID_INPUT', 'Say why it goes elsewhere']);
      const same = await refusal(act('neuro', noticeId, { action: 'redirect', serviceId: stroke, reason: 'Here' }));
      assert.deepEqual([same.code, same.fields], ['INVALID_INPUT', { serviceId: 'Choose another service' }]);
      assert.equal((await refusal(act('neuro', noticeId, { action: 'redirect', serviceId: 'nope', reason: 'x' }))).code, 'INVALID_INPUT');

      const cardioSocket = await socketOf('cardio');
      const redirected = await act('neuro', noticeId, { action: 'redirect', serviceId: cardiology, reason: 'ECG shows STEMI' });
      assert.deepEqual(redirected, { id: noticeId, status: 'SENT' });
      assert.deepEqual(await reads('neuro', main.studyInstanceUid), NOTHING, 'the stroke unit loses the images at once');
      assert.deepEqual(await reads('cardio', main.studyInstanceUid), READS, 'cardiology reads them');
      assert.equal((await refusal(getTransfer(context(), people.neuro, noticeId))).code, 'NOT_FOUND', 'and the notice');
      await until('the alarm in cardiology', () => heardOf(cardioSocket, REALTIME_EVENTS.TRANSFER_ALARM, noticeId).length === 1, 5_000);

      const notice = await db().transferNotice.findUniqueOrThrow({ where: { id: noticeId } });
      assert.deepEqual([notice.targetServiceId, notice.acknowledgedAt, notice.acceptedAt], [cardiology, null, null]);
      const jobs = await db().job.findMany({ where: { type: 'transfer.escalate', key: { startsWith: `${noticeId}:` } }, orderBy: { runAt: 'asc' } });
      assert.equal(jobs.length, 2, 'the first alarm’s and the new one’s');
      assert.equal(jobs[1].key, `${noticeId}:${notice.alarmSince.toISOString()}`);
      assert.equal(jobs[1].runAt.getTime(), notice.alarmSince.getTime() + 60 * MINUTE);
      const grants = await db().accessGrant.findMany({ where: { sourceType: 'transfer', sourceId: noticeId }, orderBy: { createdAt: 'asc' } });
      assert.deepEqual(grants.map((grant) => [grant.granteeServiceId, grant.revokedAt !== null, grant.overrideId]), [[stroke, true, notice.overrideId], [cardiology, false, notice.overrideId]]);
      assert.equal(grants[1].validUntil?.getTime(), notice.etaAt.getTime() + 3 * HOUR, 'cardiology’s own hours');
    });

    it('arrive: the access ends at the arrival + the service’s hours; no update after', async () => {
      assert.equal((await refusal(act('sender', noticeId, { action: 'arrive' }))).code, 'FORBIDDEN');
      assert.deepEqual(await act('cardio', noticeId, { action: 'arrive', note: 'In resus' }), { id: noticeId, status: 'ARRIVED' });
      const notice = await db().transferNotice.findUniqueOrThrow({ where: { id: noticeId } });
      const end = notice.arrivedAt!.getTime() + 3 * HOUR;
      const grants = await db().accessGrant.findMany({ where: { sourceType: 'transfer', sourceId: noticeId, revokedAt: null } });
      assert.deepEqual(grants.map((grant) => grant.validUntil?.getTime()), [end]);
      assert.equal((await db().emergencyOverride.findUniqueOrThrow({ where: { id: notice.overrideId! } })).endsAt.getTime(), end);
      assert.deepEqual(await reads('cardio', main.studyInstanceUid), READS);

      const late = await refusal(updateTransfer(context(), people.sender, noticeId, { etaMinutes: 5 }));
      assert.deepEqual([late.code, late.userMessage], ['CONFLICT', 'This notice is closed: the patient has arrived: nothing was changed.']);
      assert.equal((await refusal(act('sender', noticeId, { action: 'cancel' }))).code, 'CONFLICT');
      assert.equal((await refusal(act('cardio', noticeId, { action: 'arrive' }))).code, 'CONFLICT');
      await postTransferMessage(context(), people.cardio, noticeId, { body: 'Thank you.' });
    });

    it('cancel: the sending team only; the grants end at once; no messages after', async () => {
      const sent = await send('sender', { clientKey: key(), serviceId: stroke, studyInstanceUids: [cancelled.studyInstanceUid] });
      assert.deepEqual(await reads('neuro', cancelled.studyInstanceUid), READS);
      assert.equal((await refusal(act('neuro', sent.id, { action: 'cancel' }))).code, 'FORBIDDEN');
      assert.deepEqual(await act('sender', sent.id, { action: 'cancel', reason: 'Died on scene' }), { id: sent.id, status: 'CANCELLED' });
      assert.deepEqual(await reads('neuro', cancelled.studyInstanceUid), NOTHING);
      const grants = await db().accessGrant.findMany({ where: { sourceType: 'transfer', sourceId: sent.id } });
      assert.ok(grants.length === 1 && grants.every((grant) => grant.revokedAt !== null));
      const notice = await db().transferNotice.findUniqueOrThrow({ where: { id: sent.id } });
      assert.ok((await db().emergencyOverride.findUniqueOrThrow({ where: { id: notice.overrideId! } })).endedAt);
      assert.equal((await refusal(postTransferMessage(context(), people.neuro, sent.id, { body: 'Still coming?' }))).code, 'CONFLICT');
      assert.equal((await refusal(updateTransfer(context(), people.sender, sent.id, { etaMinutes: 5 }))).code, 'CONFLICT');
      assert.equal((await refusal(act('neuro', sent.id, { action: 'acknowledge' }))).code, 'CONFLICT');
    });
  });

  it('lets the first of two racing clicks win: an accept against a colleague’s redirect, never both', async () => {
    for (let round = 0; round < 5; round++) {
      const { id } = await send('sender', { clientKey: key(), serviceId: stroke, unidentified: true });
      const [accepted, redirected] = await Promise.allSettled([act('neuro', id, { action: 'accept' }), act('neuro2', id, { action: 'redirect', serviceId: cardiology, reason: 'Cardiac' })]);
      const notice = await db().transferNotice.findUniqueOrThrow({ where: { id } });
      assert.equal([accepted, redirected].filter((outcome) => outcome.status === 'fulfilled').length, 1, 'one wins');
      const lost = [accepted, redirected].find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult;
      assert.ok(lost.reason instanceof DomainError && lost.reason.code === 'CONFLICT');
      if (accepted.status === 'fulfilled') {
        assert.deepEqual([notice.status, notice.targetServiceId, notice.acceptedById], ['ACCEPTED', stroke, people.neuro.userId]);
        assert.equal(lost.reason.userMessage, 'This notice is already accepted by Dr neuro: nothing was changed.');
      } else {
        assert.deepEqual([notice.status, notice.targetServiceId, notice.acceptedById], ['SENT', cardiology, null], 'cardiology’s alarm rings, accepted by nobody');
        assert.equal(lost.reason.userMessage, 'This notice was redirected to Cardiology, Regional Hospital: nothing was changed.');
      }
      await act('sender', id, { action: 'cancel' });
    }
  });

  it('redirects to another facility’s service: its team reads, and each facility’s log has the redirect', async () => {
    const { id } = await send('sender', { clientKey: key(), serviceId: stroke, studyInstanceUids: [mainMr.studyInstanceUid] });
    assert.deepEqual(await reads('outsider', mainMr.studyInstanceUid), NOTHING);
    await act('neuro', id, { action: 'redirect', serviceId: awayService, reason: 'Closer to home' });
    assert.deepEqual(await reads('outsider', mainMr.studyInstanceUid), READS, 'the Away ward reads');
    assert.deepEqual(await reads('neuro', mainMr.studyInstanceUid), NOTHING);
    assert.equal((await refusal(getTransfer(context(), people.regionalAdmin, id))).code, 'NOT_FOUND', 'the regional hospital’s admin no longer sees it');
    const rows = await db().auditEvent.findMany({ where: { resource: `transfer:${id}`, action: 'transfer.redirect' } });
    assert.deepEqual(rows.map((row) => row.facilityId).sort(), [district, regional, elsewhere].sort(), 'the regional team’s action stays in the regional log');
    assert.deepEqual(rows.filter((row) => row.patientId !== null).map((row) => row.facilityId), [district], 'the MRN only in the sending facility’s');
    await act('sender', id, { action: 'cancel' });
    assert.deepEqual(await reads('outsider', mainMr.studyInstanceUid), NOTHING);
  });

  it('a redirect ends the old team’s teleconsultation reads too (its open consultation socket closes)', async () => {
    const { id } = await send('sender', { clientKey: key(), serviceId: stroke, studyInstanceUids: [otherPatient.studyInstanceUid] });
    await act('neuro', id, { action: 'acknowledge' });
    const consultation = await startTransferConsultation(context(), people.sender, id);
    const participants = await db().consultationParticipant.findMany({ where: { consultationId: consultation.id } });
    assert.ok(participants.some((row) => row.userId === people.neuro.userId), 'the acknowledging member is invited');
    const { token } = await createSession(db(), { userId: people.neuro.userId, ttlHours: 1 });
    const live = connect(`${server.url}${CONSULT_NAMESPACE}`, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie: `${SESSION_COOKIE_NAME}=${token}` } });
    sockets.push(live as never);
    const joined = await new Promise<{ ok: boolean }>((resolve, reject) => {
      live.once('connect_error', reject);
      live.once('connect', () => live.emit(CONSULT_EVENTS.JOIN, { consultationId: consultation.id }, resolve));
    });
    assert.equal(joined.ok, true);
    const closed = new Promise<void>((resolve) => live.once('disconnect', () => resolve()));
    await act('neuro', id, { action: 'redirect', serviceId: cardiology, reason: 'Cardiac' });
    await closed;
    assert.deepEqual(await reads('neuro', otherPatient.studyInstanceUid), NOTHING, 'the stroke unit’s member reads nothing, consultation or not');
    const consultationGrants = await db().accessGrant.findMany({ where: { sourceType: 'consultation', sourceId: consultation.id, granteeUserId: people.neuro.userId } });
    assert.ok(consultationGrants.length > 0 && consultationGrants.every((grant) => grant.revokedAt && grant.revokeReason === 'transfer notice redirected'));
    assert.deepEqual(await reads('cardio', otherPatient.studyInstanceUid), READS);
    await act('sender', id, { action: 'cancel' });
  });

  it('an ETA sent as the patient arrives never outlives the arrival: the update read the notice open, the arrival commits first', async () => {
    const { id } = await send('sender', { clientKey: key(), serviceId: stroke, studyInstanceUids: [racing.studyInstanceUid], etaMinutes: 30 });
    // The sender's update has read the notice (still open) when the arrival commits: its transaction waits for it
    let reachedTransaction!: () => void;
    const reached = new Promise<void>((resolve) => (reachedTransaction = resolve));
    let arrived!: () => void;
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    const realDb = db();
    const gated = new Proxy(realDb, {
      get(target, property, receiver) {
        if (property !== '$transaction') return Reflect.get(target, property, receiver) as unknown;
        return async (work: Parameters<typeof realDb.$transaction>[0]) => {
          reachedTransaction();
          await arrival;
          return realDb.$transaction(work as never);
        };
      },
    });
    const update = updateTransfer({ ...context(), db: gated }, people.sender, id, { etaMinutes: 120 });
    await reached;
    await act('neuro', id, { action: 'arrive' });
    arrived();
    const refused = await refusal(update);
    assert.deepEqual([refused.code, refused.userMessage], ['CONFLICT', 'This notice is closed: the patient has arrived: nothing was changed.']);
    const notice = await db().transferNotice.findUniqueOrThrow({ where: { id } });
    const end = notice.arrivedAt!.getTime() + 6 * HOUR;
    assert.equal((await db().emergencyOverride.findUniqueOrThrow({ where: { id: notice.overrideId! } })).endsAt.getTime(), end, 'the basis ends at the arrival + 6 h');
    assert.deepEqual((await db().accessGrant.findMany({ where: { sourceType: 'transfer', sourceId: id } })).map((grant) => grant.validUntil?.getTime()), [end]);
    assert.equal(await db().transferEvent.count({ where: { noticeId: id, action: 'eta' } }), 0, 'no ETA recorded after the arrival');
  });

  it('ends the access at ETA + hours, moved by a new ETA and by the arrival (the expiry job on a moved clock)', async () => {
    const start = new Date();
    const sent = await send('sender', { clientKey: key(), serviceId: stroke, studyInstanceUids: [expiring.studyInstanceUid], etaMinutes: 30 }, start);
    const noticeOf = () => db().transferNotice.findUniqueOrThrow({ where: { id: sent.id } });
    const overrideId = (await noticeOf()).overrideId!;
    const endOf = async () => ({ override: (await db().emergencyOverride.findUniqueOrThrow({ where: { id: overrideId } })).endsAt.getTime(), grants: (await db().accessGrant.findMany({ where: { sourceId: sent.id, revokedAt: null } })).map((grant) => grant.validUntil?.getTime()) });
    assert.deepEqual(await endOf(), { override: start.getTime() + 30 * MINUTE + 6 * HOUR, grants: [start.getTime() + 30 * MINUTE + 6 * HOUR] });

    const later = new Date(start.getTime() + 1_000);
    await updateTransfer(context(), people.sender, sent.id, { etaMinutes: 90 }, later);
    const moved = later.getTime() + 90 * MINUTE + 6 * HOUR;
    assert.deepEqual(await endOf(), { override: moved, grants: [moved] }, 'the new ETA moves the end');
    assert.ok(await db().job.findFirst({ where: { type: 'override.expire', key: `${overrideId}:${new Date(moved).toISOString()}` } }), 'the expiry job of the new end');

    // The job of the first end, at that time: the end moved, nothing ends
    const firstEnd = new Date(start.getTime() + 30 * MINUTE + 6 * HOUR);
    const jobContext = { db: db(), archive: server.node.archive, logger: silentLogger, io: server.node.runtime.io, job: { id: 'test', key: overrideId, attempts: 1, maxAttempts: 10, facilityId: district } };
    await createExpireOverrideJob({ now: () => new Date(firstEnd.getTime() + 1_000) }).handle({ overrideId, endsAt: firstEnd.toISOString() }, jobContext);
    assert.deepEqual(await reads('neuro', expiring.studyInstanceUid), READS, 'still read: the end moved with the ETA');

    const arrival = new Date(start.getTime() + 20 * MINUTE);
    await act('neuro', sent.id, { action: 'arrive' }, arrival);
    const end = arrival.getTime() + 6 * HOUR;
    assert.deepEqual(await endOf(), { override: end, grants: [end] });

    await assert.rejects(createExpireOverrideJob({ now: () => new Date(end - MINUTE) }).handle({ overrideId, endsAt: new Date(end).toISOString() }, jobContext), /not due/);
    assert.deepEqual(await reads('neuro', expiring.studyInstanceUid), READS);
    await createExpireOverrideJob({ now: () => new Date(end + 1_000) }).handle({ overrideId, endsAt: new Date(end).toISOString() }, jobContext);
    assert.deepEqual(await reads('neuro', expiring.studyInstanceUid), NOTHING, 'the receiver loses the images');
    const grants = await db().accessGrant.findMany({ where: { sourceId: sent.id } });
    assert.ok(grants.every((grant) => grant.revokedAt !== null));
    assert.deepEqual(await reads('sender', expiring.studyInstanceUid), READS, 'the sending facility keeps its own');
  });

  it('rings the service’s sockets, tells the sender’s, and nobody else’s', async () => {
    const [neuro, sender, outsider] = [await socketOf('neuro'), await socketOf('sender'), await socketOf('outsider')];
    const sentAt = Date.now();
    const sent = await send('sender', { clientKey: key(), serviceId: stroke, unidentified: true });
    await until('the alarm', () => heardOf(neuro, REALTIME_EVENTS.TRANSFER_ALARM, sent.id).length === 1, 5_000);
    console.log(`transfer:alarm reached the service member ${Date.now() - sentAt} ms after sendTransfer was called`);
    const alarm = heardOf(neuro, REALTIME_EVENTS.TRANSFER_ALARM, sent.id)[0] as TransferAlarmPayload;
    assert.deepEqual([alarm.serviceId, alarm.serviceName, alarm.condition, alarm.escalated], [stroke, 'Stroke unit, Regional Hospital', 'STROKE', false]);
    assert.ok(!JSON.stringify(alarm).includes('EM-'), 'no patient data in the alarm');

    await act('neuro', sent.id, { action: 'acknowledge' });
    await until('the news at the sender', () => heardOf(sender, REALTIME_EVENTS.TRANSFER_CHANGED, sent.id).some((payload) => (payload as TransferChangedPayload).change === 'acknowledge'), 5_000);
    const changed = heardOf(sender, REALTIME_EVENTS.TRANSFER_CHANGED, sent.id).find((payload) => (payload as TransferChangedPayload).change === 'acknowledge') as TransferChangedPayload;
    assert.deepEqual(changed, { noticeId: sent.id, status: 'ACKNOWLEDGED', change: 'acknowledge', serviceId: stroke });

    // The outsider's socket hears its own notice's alarm (sent after): everything before it would have come first
    const own = await send('sender', { clientKey: key(), serviceId: awayService, unidentified: true });
    await until('the outsider’s own alarm', () => heardOf(outsider, REALTIME_EVENTS.TRANSFER_ALARM, own.id).length === 1, 5_000);
    const others = outsider.heard.filter(([name, payload]) => name.startsWith('transfer:') && (payload as { noticeId: string }).noticeId !== own.id);
    assert.deepEqual(others, [], 'nothing of the stroke unit’s notice');
    assert.ok(neuro.heard.every(([, payload]) => (payload as { noticeId?: string }).noticeId !== own.id), 'nor the stroke unit of the Away ward’s');
    for (const id of [sent.id, own.id]) await act('sender', id, { action: 'cancel' });
  });

  it('rings an escalated alarm on the on-call member’s and the facility admin’s open pages (the node’s own job runner)', async () => {
    const trauma = (await db().service.create({ data: { facilityId: regional, name: 'Trauma bay', transferEscalationMinutes: 1 } })).id;
    await db().serviceMember.create({ data: { serviceId: trauma, userId: people.neuro2.userId, onCall: true } });
    const [admin, onCall, sender] = [await socketOf('regionalAdmin'), await socketOf('neuro2'), await socketOf('sender')];
    const { id } = await send('sender', { clientKey: key(), serviceId: trauma, condition: 'TRAUMA', unidentified: true }, new Date(Date.now() - 3 * MINUTE));
    const escalatedAlarm = (socket: typeof admin) => heardOf(socket, REALTIME_EVENTS.TRANSFER_ALARM, id).filter((payload) => (payload as TransferAlarmPayload).escalated);
    await until('the escalated alarm at the admin and the on-call member', () => escalatedAlarm(admin).length === 1 && escalatedAlarm(onCall).length === 1, 15_000);
    await until('the news at the sender', () => heardOf(sender, REALTIME_EVENTS.TRANSFER_CHANGED, id).some((payload) => (payload as TransferChangedPayload).change === 'escalate'), 5_000);
    assert.equal(heardOf(admin, REALTIME_EVENTS.TRANSFER_ALARM, id).length, 1, 'the admin’s page rang only when it escalated');
    assert.ok((await db().transferNotice.findUniqueOrThrow({ where: { id } })).escalatedAt);
    await act('sender', id, { action: 'cancel' });
  });
});

const noSmtpServer = !hasAiosmtpd() && !process.env.CI ? 'not installed: python3-aiosmtpd (apt-get install -y python3-aiosmtpd)' : undefined;

describe('transfer escalation after a restart', { skip: noSmtpServer }, () => {
  let harness: ArchiveHarness;
  let smtp: SmtpServer;
  let webhook: Server;
  let webhookUrl = '';
  const hooks: { headers: IncomingMessage['headers']; body: Record<string, unknown>; status: number }[] = [];
  let fresh: Database | undefined;
  let runner: JobRunner | undefined;
  let startRunner: () => JobRunner;
  let service = '';
  let offDuty = '';
  let sender: TransferActor;
  const PUBLIC_URL = 'https://pacs.regional.example';

  before(async () => {
    harness = await createArchiveHarness();
    smtp = await startSmtpServer();
    webhook = createServer((request, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => (text += chunk.toString()));
      request.on('end', () => {
        // The paging system is down for the first call
        const status = hooks.length === 0 ? 500 : 200;
        hooks.push({ headers: request.headers, body: JSON.parse(text) as Record<string, unknown>, status });
        response.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
    webhookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/page`;
  });
  after(async () => {
    await runner?.stop();
    await fresh?.$disconnect();
    await new Promise((resolve) => webhook?.close(resolve));
    await smtp?.cleanup();
    await harness?.cleanup();
  });

  it('escalates once an alarm nobody acknowledged: event, audit, mail to on-call and admins, webhook retried', async () => {
    const { db } = harness;
    const sending = harness.facilityId;
    const receiving = harness.otherFacilityId;
    const user = async (email: string, facilityId: string, role: 'EMERGENCY' | 'EXPERT' | 'ADMIN') => (await createUser(db, { email, name: email.split('@')[0], memberships: [{ facilityId, role }] })).id;
    sender = { userId: await user('sender@district.example', sending, 'EMERGENCY'), email: 'sender@district.example', ip: '127.0.0.1', actingFacilityId: sending };
    const onCall = await user('oncall@regional.example', receiving, 'EXPERT');
    offDuty = await user('offduty@regional.example', receiving, 'EXPERT');
    await user('admin@regional.example', receiving, 'ADMIN');
    service = (await db.service.create({ data: { facilityId: receiving, name: 'Stroke unit', transferEscalationMinutes: 3 } })).id;
    await db.serviceMember.create({ data: { serviceId: service, userId: onCall, onCall: true } });
    await db.serviceMember.create({ data: { serviceId: service, userId: offDuty } });
    const context = { db, logger: silentLogger };

    // While the node is down: two alarms rang five minutes ago; one was acknowledged
    const fiveMinutesAgo = new Date(Date.now() - 5 * MINUTE);
    const ringing = (await sendTransfer(context, sender, { clientKey: 'escalation-1', serviceId: service, condition: 'STROKE', etaMinutes: 30, unidentified: true, findings: 'Aphasia' }, fiveMinutesAgo)).id;
    const acknowledged = (await sendTransfer(context, sender, { clientKey: 'escalation-2', serviceId: service, condition: 'TRAUMA', etaMinutes: 30, unidentified: true }, fiveMinutesAgo)).id;
    await actOnTransfer(context, { userId: offDuty, email: 'offduty@regional.example', ip: '127.0.0.1' }, acknowledged, { action: 'acknowledge' });
    const jobsOf = (database: Database, id: string) => database.job.findMany({ where: { type: 'transfer.escalate', key: { startsWith: `${id}:` } } });
    assert.deepEqual((await jobsOf(db, ringing)).map((job) => [job.state, job.runAt.getTime()]), [['PENDING', fiveMinutesAgo.getTime() + 3 * MINUTE]]);

    // A fresh process: its own database client and job runner, with the e-mail relay and the webhook
    const config = loadConfig({ DATA_DIR: harness.dataDir, SMTP_URL: smtp.url, PUBLIC_URL, MAIL_FROM: 'Regional PACS <pacs@regional.example>', EMERGENCY_WEBHOOK_URL: webhookUrl });
    const restarted = createDatabase(harness.options);
    fresh = restarted;
    const start = (startRunner = () => startJobRunner({ db: restarted, kind: testDatabaseKind(), archive: harness.archive, logger: silentLogger, registry: createJobRegistry(jobDefinitions(config)), pollIntervalMs: 100 }));
    runner = start();
    await until('both escalation jobs', async () => (await Promise.all([ringing, acknowledged].map((id) => jobsOf(restarted, id)))).flat().every((job) => job.state === 'DONE'));

    const row = (id: string) => restarted.transferNotice.findUniqueOrThrow({ where: { id }, include: { events: { where: { action: 'escalate' } } } });
    const escalated = await row(ringing);
    assert.ok(escalated.escalatedAt);
    assert.equal(escalated.events.length, 1);
    assert.deepEqual(JSON.parse(escalated.events[0].details), { minutes: 3, onCall: 1, admins: 1, webhook: true });
    const audit = await restarted.auditEvent.findMany({ where: { resource: `transfer:${ringing}`, action: 'transfer.escalate' } });
    assert.deepEqual(audit.map((entry) => [entry.actor, entry.actorUserId, entry.facilityId]).sort(), [['system', null, sending], ['system', null, receiving]].sort());
    const left = await row(acknowledged);
    assert.deepEqual([left.escalatedAt, left.events.length], [null, 0], 'an acknowledged alarm does not escalate');
    assert.equal(await restarted.auditEvent.count({ where: { resource: `transfer:${acknowledged}`, action: 'transfer.escalate' } }), 0);

    // The e-mail: the on-call member and the facility's admin, not the member off duty; no patient data
    const [mail] = await smtp.waitForMessages(1, 30_000);
    assert.deepEqual([...mail.rcptTos].sort(), ['admin@regional.example', 'oncall@regional.example']);
    assert.equal(header(mail, 'Subject'), 'URGENT: an emergency transfer alarm is not acknowledged');
    assert.ok(mail.text?.includes(`${PUBLIC_URL}/transfers/${ringing}`));
    assert.ok(!mail.raw.includes('Aphasia') && !mail.raw.includes(escalated.patientId));

    // The webhook: refused once (500), delivered on the retry with the same body and Idempotency-Key
    await until('the webhook retried', () => hooks.some((hook) => hook.status === 200), 30_000);
    assert.deepEqual(hooks.map((hook) => hook.status), [500, 200]);
    const expected = {
      event: 'transfer.escalated',
      noticeId: ringing,
      at: escalated.escalatedAt!.toISOString(),
      service: { id: service, name: 'Stroke unit' },
      facility: { id: receiving, name: 'Other Clinic' },
      condition: 'STROKE',
      etaAt: escalated.etaAt.toISOString(),
      status: 'SENT',
      link: `${PUBLIC_URL}/transfers/${ringing}`,
    };
    for (const hook of hooks) {
      assert.deepEqual(hook.body, expected);
      assert.equal(hook.headers['content-type'], 'application/json');
      assert.equal(hook.headers['idempotency-key'], `${ringing}:escalate:${fiveMinutesAgo.toISOString()}`);
    }

    // Once: the escalation job again (a retry, a second runner) changes nothing
    await runner.stop();
    runner = undefined;
    const [job] = await jobsOf(restarted, ringing);
    await restarted.job.update({ where: { id: job.id }, data: { state: 'PENDING', runAt: new Date(), finishedAt: null } });
    runner = start();
    await until('the job run again', async () => (await restarted.job.findUniqueOrThrow({ where: { id: job.id } })).state === 'DONE');
    assert.equal((await row(ringing)).events.length, 1, 'escalated once');
    assert.equal(await restarted.job.count({ where: { type: 'transfer.webhook' } }), 1);
    assert.equal(await restarted.job.count({ where: { type: 'mail.send', facilityId: receiving } }), 1);
    assert.equal(smtp.messages().length, 1);
  });
  it('escalates a redirected alarm once, for its new service; a raised escalation time is waited for, not lost', async () => {
    const db = fresh!;
    await runner?.stop();
    runner = undefined;
    const receiving = harness.otherFacilityId;
    const context = { db, logger: silentLogger };
    const offDutyActor = { userId: offDuty, email: 'offduty@regional.example', ip: '127.0.0.1' };
    const chest = (await db.service.create({ data: { facilityId: receiving, name: 'Chest', transferEscalationMinutes: 3 } })).id;
    const chestCall = (await createUser(db, { email: 'chestcall@regional.example', name: 'chestcall', memberships: [{ facilityId: receiving, role: 'EXPERT' }] })).id;
    await db.serviceMember.create({ data: { serviceId: chest, userId: chestCall, onCall: true } });
    const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * MINUTE);

    // Rang in the stroke unit ten minutes ago, redirected to Chest eight minutes ago: both alarms are due
    const moved = (await sendTransfer(context, sender, { clientKey: 'escalation-3', serviceId: service, condition: 'TRAUMA', etaMinutes: 30, unidentified: true }, minutesAgo(10))).id;
    await actOnTransfer(context, offDutyActor, moved, { action: 'redirect', serviceId: chest, reason: 'Chest trauma' }, minutesAgo(8));
    // Rang in the stroke unit five minutes ago; its escalation time was then raised to an hour (the most an admin sets)
    const waiting = (await sendTransfer(context, sender, { clientKey: 'escalation-4', serviceId: service, condition: 'STROKE', etaMinutes: 30, unidentified: true }, minutesAgo(5))).id;
    await db.service.update({ where: { id: service }, data: { transferEscalationMinutes: 60 } });
    const mailsBefore = smtp.messages().length;

    runner = startRunner();
    const jobsOf = (id: string) => db.job.findMany({ where: { type: 'transfer.escalate', key: { startsWith: `${id}:` } }, orderBy: { runAt: 'asc' } });
    await until('the redirected alarm escalated', async () => (await db.transferNotice.findUniqueOrThrow({ where: { id: moved } })).escalatedAt !== null);
    await until('the due jobs done', async () => [...(await jobsOf(moved)), ...(await jobsOf(waiting))].filter((job) => job.runAt.getTime() <= Date.now()).every((job) => job.state === 'DONE'));
    const events = await db.transferEvent.findMany({ where: { noticeId: moved, action: 'escalate' } });
    assert.equal(events.length, 1, 'once, for Chest’s alarm (the stroke unit’s old alarm does nothing)');
    const audit = await db.auditEvent.findMany({ where: { resource: `transfer:${moved}`, action: 'transfer.escalate' } });
    assert.ok(audit.length > 0 && audit.every((row) => (JSON.parse(row.details) as { serviceId: string }).serviceId === chest));
    const mails = await smtp.waitForMessages(mailsBefore + 1, 30_000);
    assert.deepEqual([...mails[mailsBefore].rcptTos].sort(), ['admin@regional.example', 'chestcall@regional.example'], 'Chest’s on-call member, not the stroke unit’s');

    const notice = await db.transferNotice.findUniqueOrThrow({ where: { id: waiting } });
    assert.equal(notice.escalatedAt, null, 'not escalated before its (raised) time');
    const jobs = await jobsOf(waiting);
    assert.deepEqual(jobs.map((job) => job.state), ['DONE', 'PENDING'], 'the first job handed over to one at the new time (no retries until it fails)');
    assert.equal(jobs[1].runAt.getTime(), notice.alarmSince.getTime() + 60 * MINUTE);
  });
});
