// Break-glass (issue 16, lib/emergency-override) on a real node (SQLite, or
// PostgreSQL with TEST_DATABASE=postgres): a clinician of Hill Clinic opens the
// images another hospital holds of their patient (records linked by the
// region-wide ID) with their password and a reason. A wrong password opens
// nothing and is throttled; the override opens that person's studies only (the
// hospital's other patient stays NOT_FOUND through the archive's QIDO and
// WADO), every access is audited with its id, its start and stop are 110113
// events typed 110127 / 110138, the privacy officers (or admins) are told by
// e-mail and on their open pages, its end (the expiry job, driven by a clock)
// revokes the grants at once, and the review queue shows it to the privacy
// officer and to nobody outside. As the basis of a share, it caps the grant.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { io as connect, type Socket } from 'socket.io-client';
import { SESSION_COOKIE_NAME, createSession, hashPassword } from '../../lib/auth';
import { auditQueueFor } from '../../lib/audit/audit-queue';
import { declareOverride } from '../../lib/emergency-override/declare-override';
import { endOverride } from '../../lib/emergency-override/end-override';
import { createExpireOverrideJob } from '../../lib/emergency-override/expire-override-job';
import { listOverrides } from '../../lib/emergency-override/list-overrides';
import { activeOverrideMarks, overridesOfPatient } from '../../lib/emergency-override/override-marks';
import { assertOwnOverride } from '../../lib/policy/override-use';
import { reviewOverride } from '../../lib/emergency-override/review-override';
import type { OverrideActor } from '../../lib/emergency-override/override-types';
import { DomainError } from '../../lib/errors';
import { grantStudyRead } from '../../lib/grants/grant-study-read';
import { isConsentRequiredError, personRecordRefs } from '../../lib/policy/share-basis';
import { createFacility, createUser } from '../../lib/policy/test-fixtures';
import { REALTIME_EVENTS, REALTIME_NAMESPACE, type OverrideStartedPayload } from '../../lib/realtime/events';
import { basicAuthHeader } from '../support/dicomweb-client';
import { makeStudy, type StudyOptions } from '../support/fixtures';
import { startTestServer, type TestServer } from '../support/test-server';

const PASSWORD = 'break the glass password';
const REGION = 'REGION';

function study(seed: string, options: Omit<StudyOptions, 'seed' | 'series' | 'instancesPerSeries'>) {
  return makeStudy({ series: 1, instancesPerSeries: 1, seed, ...options });
}

/** The DomainError code a promise rejects with */
async function codeOf(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    assert.ok(error instanceof DomainError, String(error));
    return error.code;
  }
  return 'RESOLVED';
}

describe('emergency override (break-glass)', () => {
  let server: TestServer;
  // Lena at the Test Hospital (region ID R-100, two studies) and at Hill Clinic (its MRN, carrying the region ID)
  const lenaCt = study('override-a1', { patientId: 'R-100', issuerOfPatientId: REGION, patientName: 'Glass^Lena', accessionNumber: 'OA-1', studyDate: '20240301', studyDescription: 'CT HEAD' });
  const lenaMr = study('override-a2', { patientId: 'R-100', issuerOfPatientId: REGION, patientName: 'Glass^Lena', accessionNumber: 'OA-2', studyDate: '20240401', studyDescription: 'MR HEAD' });
  const lenaAtHill = study('override-b1', { patientId: 'CL-7', issuerOfPatientId: 'CLINIC', otherPatientIds: [{ patientId: 'R-100', issuerOfPatientId: REGION }], patientName: 'Glass^Lena', accessionNumber: 'OB-1' });
  // Another patient of the Test Hospital: never opened
  const otto = study('override-a3', { patientId: 'A-200', issuerOfPatientId: 'TESTHOSP', patientName: 'Other^Otto', accessionNumber: 'OA-3' });
  let hospital: string;
  let hill: string;
  let elsewhere: string;
  let recordLenaA: string;
  let recordLenaHill: string;
  let recordOtto: string;
  const people: Record<'doctor' | 'throttled' | 'privacy' | 'hillAdmin' | 'outsider' | 'officerOnly' | 'colleague', OverrideActor> = {} as never;
  const sockets: Socket[] = [];

  const context = () => server.node.runtime;
  const declare = (who: keyof typeof people, input: Record<string, unknown>, now?: Date) =>
    declareOverride(context(), people[who], { password: PASSWORD, reasonCode: 'UNCONSCIOUS', ...input }, now);
  const recordOf = async (facilityId: string, patientId: string) => (await server.node.db.patient.findFirstOrThrow({ where: { facilityId, patientId } })).id;
  const studyRow = (facilityId: string, uid: string) => server.node.db.study.findUniqueOrThrow({ where: { facilityId_studyInstanceUid: { facilityId, studyInstanceUid: uid } } });

  /** QIDO-RS matches for a PatientID, as this user over HTTP Basic (the archive's real scope) */
  async function qido(who: keyof typeof people, patientId: string): Promise<string[]> {
    const response = await fetch(`${server.dicomwebUrl}/studies?PatientID=${patientId}`, { headers: { authorization: basicAuthHeader(people[who].email, PASSWORD) } });
    if (response.status === 204) return [];
    assert.equal(response.status, 200);
    return ((await response.json()) as { '0020000D': { Value: string[] } }[]).map((match) => match['0020000D'].Value[0]).sort();
  }
  const wado = async (who: keyof typeof people, uid: string) =>
    (await fetch(`${server.dicomwebUrl}/studies/${uid}/metadata`, { headers: { authorization: basicAuthHeader(people[who].email, PASSWORD) } })).status;
  const flushAudit = () => auditQueueFor(context()).flush();
  const auditOf = (action: string, overrideId: string) =>
    server.node.db.auditEvent.findMany({ where: { action, resource: `emergency-override:${overrideId}` }, orderBy: [{ facilityId: 'asc' }] });

  before(async () => {
    // Mail on, towards a relay that is not there: the mail jobs are queued (what is checked), their sending fails and retries
    server = await startTestServer({ env: { REGION_PATIENT_ID_ISSUER: REGION, SMTP_URL: 'smtp://127.0.0.1:9', PUBLIC_URL: 'https://pacs.region.example' } });
    const db = server.node.db;
    hospital = server.node.firstRun.facilityId;
    hill = (await createFacility(db, 'Hill Clinic')).id;
    elsewhere = (await createFacility(db, 'Elsewhere Hospital')).id;
    for (const file of [...lenaCt, ...lenaMr, ...otto]) await server.node.archive.ingest(file, { kind: 'import', source: 'override-test' }, hospital);
    for (const file of lenaAtHill) await server.node.archive.ingest(file, { kind: 'import', source: 'override-test' }, hill);
    [recordLenaA, recordLenaHill, recordOtto] = await Promise.all([recordOf(hospital, 'R-100'), recordOf(hill, 'CL-7'), recordOf(hospital, 'A-200')]);
    const passwordHash = await hashPassword(PASSWORD);
    const make = async (key: keyof typeof people, email: string, memberships: { facilityId: string; role: 'ADMIN' | 'EMERGENCY' | 'PRIVACY_OFFICER' | 'EXPERT' }[], actingFacilityId: string, ip = '127.0.0.1') => {
      const user = await createUser(db, { email, name: email.split('@')[0], passwordHash, memberships });
      people[key] = { userId: user.id, email, ip, actingFacilityId };
    };
    await make('doctor', 'doctor@hill.example', [{ facilityId: hill, role: 'EMERGENCY' }], hill);
    await make('throttled', 'throttled@hill.example', [{ facilityId: hill, role: 'EMERGENCY' }], hill, '10.9.9.9');
    await make('colleague', 'colleague@hill.example', [{ facilityId: hill, role: 'EXPERT' }], hill);
    await make('privacy', 'privacy@hospital.example', [{ facilityId: hospital, role: 'PRIVACY_OFFICER' }], hospital);
    await make('officerOnly', 'officer@hill.example', [{ facilityId: elsewhere, role: 'PRIVACY_OFFICER' }], elsewhere);
    // Hill Clinic has no privacy officer: its admin is told and reviews
    await make('hillAdmin', 'admin@hill.example', [{ facilityId: hill, role: 'ADMIN' }], hill);
    await make('outsider', 'admin@elsewhere.example', [{ facilityId: elsewhere, role: 'ADMIN' }], elsewhere);
  });
  after(async () => {
    for (const socket of sockets) socket.close();
    await server?.stop();
  });

  it('links the records of the person (the fixture the override rests on)', async () => {
    assert.deepEqual((await personRecordRefs(server.node.db, recordLenaHill)).sort(), [recordLenaA, recordLenaHill].sort());
    assert.deepEqual(await qido('doctor', 'R-100'), [], 'before the override, the hospital’s studies are not the clinician’s');
  });

  it('refuses a wrong password and throttles it, writing nothing', async () => {
    const db = server.node.db;
    const wrong = () => declareOverride(context(), people.throttled, { patientRef: recordLenaHill, reasonCode: 'UNCONSCIOUS', password: 'not my password' });
    const refusal = await wrong().catch((error: unknown) => error);
    assert.ok(refusal instanceof DomainError);
    assert.deepEqual([refusal.code, refusal.fields], ['INVALID_INPUT', { password: 'That is not your password' }]);
    const codes: string[] = [];
    for (let attempt = 0; attempt < 5; attempt++) codes.push(await codeOf(wrong()));
    assert.equal(codes.at(-1), 'RATE_LIMITED', `throttled like sign-in: ${codes.join(', ')}`);
    assert.equal(await codeOf(declareOverride(context(), people.throttled, { patientRef: recordLenaHill, reasonCode: 'UNCONSCIOUS', password: PASSWORD })), 'RATE_LIMITED', 'even the right password, while throttled');
    assert.equal(await db.emergencyOverride.count({ where: { userId: people.throttled.userId } }), 0);
    assert.equal(await db.accessGrant.count({ where: { granteeUserId: people.throttled.userId } }), 0);
    await flushAudit();
    const refused = await db.auditEvent.findMany({ where: { action: 'override.start', actor: people.throttled.email } });
    assert.ok(refused.length >= 6 && refused.every((row) => row.outcome !== 'SUCCESS'), 'each refused attempt is in the audit trail');
  });

  it('refuses a patient the clinician’s facility does not hold, a non-clinician, and bad input', async () => {
    assert.equal(await codeOf(declare('doctor', { patientRef: recordOtto })), 'NOT_FOUND', 'Otto is not Hill Clinic’s patient');
    assert.equal(await codeOf(declare('doctor', { patientRef: 'no-such-record' })), 'NOT_FOUND');
    assert.equal(await codeOf(declare('outsider', { patientRef: recordLenaA })), 'NOT_FOUND', 'Elsewhere holds no record of Lena');
    assert.equal(await codeOf(declare('officerOnly', { patientRef: recordLenaA })), 'FORBIDDEN', 'a privacy officer alone does not open emergency access');
    const other = await declare('doctor', { patientRef: recordLenaHill, reasonCode: 'OTHER' }).catch((error: unknown) => error);
    assert.ok(other instanceof DomainError && other.code === 'INVALID_INPUT' && other.fields?.reasonText === 'Explain the emergency');
    assert.equal(await codeOf(declare('doctor', { patientRef: recordLenaHill, hours: 5 })), 'INVALID_INPUT');
    assert.equal(await codeOf(declare('doctor', { patientRef: recordLenaHill, reasonText: 'x'.repeat(501) })), 'INVALID_INPUT');
    assert.equal(await server.node.db.emergencyOverride.count(), 0);
  });

  let overrideId = '';
  let endsAt: Date;

  it('opens the person’s studies only, audited 110113/110127, and tells the privacy officers by mail and at once', async () => {
    const db = server.node.db;
    const { token } = await createSession(db, { userId: people.privacy.userId, ttlHours: 1 });
    const socket = connect(`${server.url}${REALTIME_NAMESPACE}`, { transports: ['websocket'], reconnection: false, extraHeaders: { cookie: `${SESSION_COOKIE_NAME}=${token}` } });
    sockets.push(socket);
    await new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(undefined));
      socket.once('connect_error', reject);
    });
    const told = new Promise<OverrideStartedPayload>((resolve) => socket.once(REALTIME_EVENTS.OVERRIDE_STARTED, resolve));

    const before = Date.now();
    const declared = await declare('doctor', { patientRef: recordLenaHill, reasonCode: 'LIFE_THREATENING', reasonText: 'Polytrauma, intubated' });
    overrideId = declared.id;
    endsAt = declared.endsAt;
    assert.equal(declared.grants, 2, 'the hospital’s two studies of Lena; Hill’s own copy is read already');
    assert.ok(Math.abs(endsAt.getTime() - before - 4 * 3_600_000) < 60_000, 'four hours by default');

    const grants = await db.accessGrant.findMany({ where: { overrideId }, orderBy: { studyInstanceUid: 'asc' } });
    assert.deepEqual(
      grants.map((grant) => [grant.granteeUserId, grant.studyFacilityId, grant.purpose, grant.legalBasis, grant.sourceType, grant.sourceId, grant.validUntil?.getTime()]),
      [lenaCt, lenaMr].map((s) => s.studyInstanceUid).sort().map(() => [people.doctor.userId, hospital, 'EMERGENCY', 'EMERGENCY_OVERRIDE', 'override', overrideId, endsAt.getTime()]),
    );

    assert.deepEqual(await qido('doctor', 'R-100'), [lenaCt.studyInstanceUid, lenaMr.studyInstanceUid].sort());
    assert.deepEqual(await qido('doctor', 'A-200'), [], 'the hospital’s other patient stays out of every search');
    assert.equal(await wado('doctor', otto.studyInstanceUid), 404);
    assert.equal(await wado('doctor', lenaCt.studyInstanceUid), 200);

    await flushAudit();
    const started = await auditOf('override.start', overrideId);
    assert.deepEqual(started.map((row) => row.facilityId).sort(), [hospital, hill].sort(), 'one row for each facility it concerns');
    for (const row of started) {
      const details = JSON.parse(row.details) as Record<string, unknown>;
      assert.deepEqual([row.outcome, row.actorUserId, details.eventId, details.eventTypeCode, details.overrideId, details.reasonCode, details.patientFacilityId], ['SUCCESS', people.doctor.userId, '110113', '110127', overrideId, 'LIFE_THREATENING', hill]);
      assert.equal(details.endsAt, endsAt.toISOString());
    }
    // Every access under it names it: the image read (its study copy), and the search its scope widened
    const reads = await db.auditEvent.findMany({ where: { actorUserId: people.doctor.userId, action: { in: ['dicomweb.wado', 'dicomweb.qido'] }, outcome: 'SUCCESS', at: { gte: new Date(before) } } });
    assert.equal(reads.length, 3, 'two searches, one image read (the refused one is DENIED)');
    const wadoRow = reads.find((row) => row.action === 'dicomweb.wado' && row.studyUid === lenaCt.studyInstanceUid);
    assert.equal((JSON.parse(wadoRow!.details) as { overrideId?: string }).overrideId, overrideId);
    assert.ok(reads.filter((row) => row.action === 'dicomweb.qido').every((row) => (JSON.parse(row.details) as { overrideIds?: string[] }).overrideIds?.includes(overrideId)));

    // The e-mail: the hospital's privacy officer (not its admin), Hill's admin (no privacy officer there); no patient data
    const mails = await db.job.findMany({ where: { type: 'mail.send', key: { startsWith: `override.started:${overrideId}:` } } });
    const sent = mails.map((job) => JSON.parse(job.payload) as { to: string[]; text: string; subject: string });
    assert.deepEqual(sent.map((mail) => mail.to.join(',')).sort(), ['admin@hill.example', 'privacy@hospital.example']);
    assert.ok(sent.some((mail) => mail.text.includes(`https://pacs.region.example/admin/${hospital}/emergency-access`)));
    assert.ok(sent.every((mail) => !/Lena|Glass|R-100|CL-7|Polytrauma/.test(mail.text + mail.subject)));
    assert.deepEqual(await told, { overrideId, facilityId: hospital, reviewPath: `/admin/${hospital}/emergency-access`, endsAt: endsAt.toISOString() });

    // The expiry is a durable job at its end
    const expiry = await db.job.findFirstOrThrow({ where: { type: 'override.expire', key: overrideId } });
    assert.deepEqual([expiry.state, expiry.runAt.getTime()], ['PENDING', endsAt.getTime()]);

    // The pages' red marks: both copies, by this override, for this clinician only
    const marks = await activeOverrideMarks(context(), people.doctor.userId, [{ facilityId: hospital, studyInstanceUid: lenaCt.studyInstanceUid }, { facilityId: hill, studyInstanceUid: lenaAtHill.studyInstanceUid }]);
    assert.deepEqual(marks.map((mark) => [mark.studyInstanceUid, mark.override.id, mark.override.reason, mark.override.declaredBy.name]), [[lenaCt.studyInstanceUid, overrideId, 'Life-threatening emergency (Polytrauma, intubated)', 'doctor']]);
    assert.deepEqual(await activeOverrideMarks(context(), people.colleague.userId, [{ facilityId: hospital, studyInstanceUid: lenaCt.studyInstanceUid }]), []);
    assert.deepEqual((await overridesOfPatient(context(), recordLenaA)).map((row) => [row.id, row.running, row.grants]), [[overrideId, true, 2]]);
  });

  it('shows it in the review queue of the privacy officer and of Hill’s admin, to nobody else, and records the review', async () => {
    const queue = await listOverrides(context(), people.privacy.userId);
    assert.deepEqual(queue.map((row) => [row.id, row.reviewStatus, row.state, row.grants, row.declaredBy.email, row.patient.facility.name, row.mayReview]), [[overrideId, 'PENDING', 'RUNNING', 2, 'doctor@hill.example', 'Hill Clinic', true]]);
    assert.ok(queue[0].accesses >= 2, `the audited accesses under it: ${queue[0].accesses}`);
    assert.deepEqual((await listOverrides(context(), people.hillAdmin.userId, { facilityId: hill })).map((row) => row.id), [overrideId]);
    assert.deepEqual(await listOverrides(context(), people.outsider.userId, { state: 'all' }), [], 'Elsewhere’s admin: an empty queue of their own');
    assert.equal(await codeOf(listOverrides(context(), people.doctor.userId)), 'NOT_FOUND', 'the clinician reviews for no facility');
    assert.equal(await codeOf(listOverrides(context(), people.privacy.userId, { facilityId: hill })), 'NOT_FOUND', 'not the privacy officer of Hill');
    assert.equal(await codeOf(reviewOverride(context(), people.outsider, overrideId, { status: 'JUSTIFIED' })), 'NOT_FOUND');
    assert.equal(await codeOf(reviewOverride(context(), people.doctor, overrideId, { status: 'JUSTIFIED' })), 'FORBIDDEN', 'nobody reviews their own');
    assert.equal(await codeOf(endOverride(context(), people.outsider, overrideId)), 'NOT_FOUND');
    const noComment = await reviewOverride(context(), people.privacy, overrideId, { status: 'NOT_JUSTIFIED' }).catch((error: unknown) => error);
    assert.ok(noComment instanceof DomainError && noComment.fields?.comment === 'Say why it was not justified');

    await reviewOverride(context(), people.privacy, overrideId, { status: 'NOT_JUSTIFIED', comment: 'Patient was conscious and could consent.' });
    const row = await server.node.db.emergencyOverride.findUniqueOrThrow({ where: { id: overrideId } });
    assert.deepEqual([row.reviewStatus, row.reviewedById, row.reviewComment], ['NOT_JUSTIFIED', people.privacy.userId, 'Patient was conscious and could consent.']);
    const reviewed = await auditOf('override.review', overrideId);
    assert.equal(reviewed.length, 2);
    assert.ok(reviewed.every((entry) => entry.actorUserId === people.privacy.userId && JSON.parse(entry.details).reviewStatus === 'NOT_JUSTIFIED'));
    assert.deepEqual(await listOverrides(context(), people.privacy.userId), [], 'no longer pending');
    assert.deepEqual((await listOverrides(context(), people.privacy.userId, { state: 'all' })).map((entry) => [entry.id, entry.reviewStatus, entry.reviewedBy?.name]), [[overrideId, 'NOT_JUSTIFIED', 'privacy']]);
  });

  it('ends at its time through the expiry job: grants revoked, 110138 once, the next QIDO misses the studies', async () => {
    const db = server.node.db;
    const job = createExpireOverrideJob({ now: () => new Date(endsAt.getTime() + 1_000) });
    const early = createExpireOverrideJob({ now: () => new Date(endsAt.getTime() - 60_000) });
    const jobContext = { db, archive: server.node.archive, logger: server.node.runtime.logger, io: server.node.runtime.io, job: { id: 'test', key: overrideId, attempts: 1, maxAttempts: 10, facilityId: hill } };
    await assert.rejects(early.handle({ overrideId }, jobContext), /not due/, 'a runner whose clock is behind retries later');
    assert.deepEqual(await qido('doctor', 'R-100'), [lenaCt.studyInstanceUid, lenaMr.studyInstanceUid].sort());

    await job.handle({ overrideId }, jobContext);
    await job.handle({ overrideId }, jobContext);
    assert.deepEqual(await qido('doctor', 'R-100'), [], 'gone on the very next request');
    assert.equal(await wado('doctor', lenaCt.studyInstanceUid), 404);
    const grants = await db.accessGrant.findMany({ where: { overrideId } });
    assert.ok(grants.every((grant) => grant.revokedAt && grant.revokeReason === 'emergency access expired'));
    const stopped = await auditOf('override.stop', overrideId);
    assert.deepEqual(stopped.map((row) => row.facilityId).sort(), [hospital, hill].sort(), 'recorded once, for each facility');
    for (const row of stopped) {
      const details = JSON.parse(row.details) as Record<string, unknown>;
      assert.deepEqual([row.actor, details.eventId, details.eventTypeCode, details.grantsEnded, details.how], ['system', '110113', '110138', 2, 'expired']);
    }
    assert.deepEqual(await activeOverrideMarks(context(), people.doctor.userId, [{ facilityId: hospital, studyInstanceUid: lenaCt.studyInstanceUid }]), []);
  });

  it('ends early when its clinician ends it; the job at its time then records nothing more', async () => {
    const db = server.node.db;
    const declared = await declare('doctor', { patientRef: recordLenaA, reasonCode: 'TRANSFER', hours: 1 });
    assert.equal(declared.grants, 2);
    assert.equal(declared.endsAt.getTime() - (await db.emergencyOverride.findUniqueOrThrow({ where: { id: declared.id } })).startedAt.getTime(), 3_600_000);
    assert.equal((await qido('doctor', 'R-100')).length, 2);
    const ended = await endOverride(context(), people.doctor, declared.id);
    assert.equal(ended.grantsEnded, 2);
    assert.ok(ended.endedAt);
    assert.deepEqual(await qido('doctor', 'R-100'), []);
    assert.equal((await endOverride(context(), people.doctor, declared.id)).grantsEnded, 0, 'ending twice ends nothing more');
    const job = createExpireOverrideJob({ now: () => new Date(declared.endsAt.getTime() + 1_000) });
    await job.handle({ overrideId: declared.id }, { db, archive: server.node.archive, logger: server.node.runtime.logger, job: { id: 'test', key: declared.id, attempts: 1, maxAttempts: 10, facilityId: null } });
    const stopped = await auditOf('override.stop', declared.id);
    assert.equal(stopped.length, 2, 'one per facility, once');
    assert.ok(stopped.every((row) => row.actorUserId === people.doctor.userId && JSON.parse(row.details).how === 'ended'));
  });

  it('is the basis of a share: the grant rests on it and ends with it; only its own clinician may use it, for that patient', async () => {
    const db = server.node.db;
    const copy = await studyRow(hospital, lenaCt.studyInstanceUid);
    const share = (overrideId: string | null) =>
      grantStudyRead(db, { grantee: { userId: people.outsider.userId }, study: { id: copy.id, facilityId: copy.facilityId, studyInstanceUid: copy.studyInstanceUid }, purpose: 'REFERRAL', overrideId, grantedById: people.doctor.userId });
    await assert.rejects(share(null), (error) => isConsentRequiredError(error), 'without consent or an override: refused');

    const basis = await declare('doctor', { patientRef: recordLenaHill, use: 'share', hours: 2 });
    assert.equal(basis.grants, 0, 'a share basis opens nothing by itself');
    assert.deepEqual(await qido('doctor', 'R-100'), []);
    await assertOwnOverride(db, basis.id, people.doctor.userId, recordLenaA);
    assert.equal(await codeOf(assertOwnOverride(db, basis.id, people.colleague.userId, recordLenaA)), 'NOT_FOUND', 'not the colleague’s');
    assert.equal(await codeOf(assertOwnOverride(db, basis.id, people.doctor.userId, recordOtto)), 'NOT_FOUND', 'not for another patient');

    const { id } = await share(basis.id);
    const grant = await db.accessGrant.findUniqueOrThrow({ where: { id } });
    assert.deepEqual([grant.legalBasis, grant.overrideId, grant.validUntil?.getTime()], ['EMERGENCY_OVERRIDE', basis.id, basis.endsAt.getTime()], 'capped at the override’s end');
    assert.deepEqual(await qido('outsider', 'R-100'), [lenaCt.studyInstanceUid]);
    await endOverride(context(), people.hillAdmin, basis.id);
    assert.ok((await db.accessGrant.findUniqueOrThrow({ where: { id } })).revokedAt, 'the share ends with its basis');
    assert.deepEqual(await qido('outsider', 'R-100'), []);
    await assert.rejects(share(basis.id), (error) => isConsentRequiredError(error), 'an ended override is no basis');
  });
});
