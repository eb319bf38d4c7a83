// One patient across facilities: records linked by the region-wide patient ID
// the images carry (REGION_PATIENT_ID_ISSUER) or by an administrator of both
// facilities, and the patient page's imaging history that then lists the
// linked records' studies the viewer may read, each with its facility.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isAdminError } from '../../lib/admin/errors';
import { findLinkCandidates } from '../../lib/patients/find-link-candidates';
import { linkPatients } from '../../lib/patients/link-patients';
import { unlinkPatient } from '../../lib/patients/unlink-patient';
import { isPolicyError, readScopeFor } from '../../lib/policy';
import { createUser } from '../../lib/policy/test-fixtures';
import { patientHistory } from '../../lib/search/patient-history';
import { silentLogger } from '../../pacs-core/logger';
import { loadConfig } from '../../lib/config/config';
import { createArchiveHarness, type ArchiveHarness } from '../support/archive-harness';
import { makeStudy, type StudyOptions } from '../support/fixtures';
import { freePort, hasDcmtk, storescu, writeTempFiles } from '../support/dcmtk';
import { startTestServer, type TestServer } from '../support/test-server';
import { SESSION_COOKIE_NAME, createSession } from '../../lib/auth';
import { GET as candidatesRoute } from '../../app/api/patients/[id]/link-candidates/route';
import { POST as linkRoute } from '../../app/api/patients/[id]/links/route';
import { DELETE as unlinkRoute } from '../../app/api/patients/[id]/links/[otherId]/route';

const REGION = 'REGION';

function study(seed: string, options: Omit<StudyOptions, 'seed' | 'series' | 'instancesPerSeries'>) {
  return makeStudy({ series: 1, instancesPerSeries: 1, seed, ...options });
}

async function ingestAll(harness: { archive: ArchiveHarness['archive'] }, files: readonly Buffer[], facilityId: string): Promise<void> {
  for (const file of files) await harness.archive.ingest(file, { kind: 'import', source: 'patient-links-test' }, facilityId);
}

function rejectsWith(code: string) {
  return (error: unknown) => {
    assert.ok(isPolicyError(error) || isAdminError(error), String(error));
    assert.equal(error.code, code);
    return true;
  };
}

describe('one patient across facilities', () => {
  let harness: ArchiveHarness;
  // Hospital A (TEST) knows her as H-100 under its own issuer, with her region ID as PatientID of a second record...
  const atA = study('links-a', { patientId: 'R-100', issuerOfPatientId: REGION, patientName: 'Link^Lena', accessionNumber: 'A-1', studyDate: '20240301', studyDescription: 'CT HEAD' });
  // ...clinic B (OTHER) files her under its MRN and carries the region ID in OtherPatientIDsSequence
  const atB = study('links-b', {
    patientId: 'CL-7',
    issuerOfPatientId: 'CLINIC',
    otherPatientIds: [{ patientId: 'R-100', issuerOfPatientId: REGION }],
    patientName: 'Link^Lena',
    accessionNumber: 'B-1',
    studyDate: '20240510',
    studyDescription: 'MR KNEE',
  });
  // Another patient at B whose only other ID is from an issuer that is not the region's
  const stranger = study('links-c', {
    patientId: 'CL-8',
    issuerOfPatientId: 'CLINIC',
    otherPatientIds: [{ patientId: 'R-100', issuerOfPatientId: 'ELSEWHERE' }],
    patientName: 'Other^Otto',
    accessionNumber: 'C-1',
  });
  let recordA: string;
  let recordB: string;
  let recordC: string;
  const users: Record<'adminBoth' | 'adminA' | 'memberA' | 'memberAB', { userId: string; email: string; ip: string }> = {} as never;
  const context = () => ({ db: harness.db, logger: silentLogger, config: loadConfig({}) });
  const historyFor = async (who: keyof typeof users, record: string) => patientHistory(harness.db, await readScopeFor(harness.db, users[who].userId), record);
  const recordOf = async (facilityId: string, patientId: string) => (await harness.db.patient.findFirstOrThrow({ where: { facilityId, patientId } })).id;

  before(async () => {
    harness = await createArchiveHarness({ regionPatientIdIssuer: REGION });
    const { facilityId: a, otherFacilityId: b } = harness;
    await ingestAll(harness, atA, a);
    await ingestAll(harness, [...atB, ...stranger], b);
    [recordA, recordB, recordC] = await Promise.all([recordOf(a, 'R-100'), recordOf(b, 'CL-7'), recordOf(b, 'CL-8')]);
    const people = {
      adminBoth: [{ facilityId: a, role: 'ADMIN' as const }, { facilityId: b, role: 'ADMIN' as const }],
      adminA: [{ facilityId: a, role: 'ADMIN' as const }, { facilityId: b, role: 'EXPERT' as const }],
      memberA: [{ facilityId: a, role: 'REFERRING' as const }],
      memberAB: [{ facilityId: a, role: 'REFERRING' as const }, { facilityId: b, role: 'EXPERT' as const }],
    };
    for (const [who, memberships] of Object.entries(people)) {
      const user = await createUser(harness.db, { email: `${who.toLowerCase()}@links.example`, memberships });
      users[who as keyof typeof users] = { userId: user.id, email: user.email, ip: '127.0.0.1' };
    }
  });
  after(async () => {
    await harness?.cleanup();
  });

  it('links the records that carry the region-wide ID, by PatientID or OtherPatientIDsSequence, and no other', async () => {
    const links = await harness.db.patientLink.findMany({ where: { unlinkedAt: null }, include: { person: true } });
    assert.deepEqual(links.map((link) => link.patientRef).sort(), [recordA, recordB].sort());
    assert.equal(new Set(links.map((link) => link.personRef)).size, 1, 'one person');
    assert.ok(links.every((link) => link.method === 'AUTOMATIC' && link.linkedById === null));
    assert.deepEqual([links[0].person.regionIssuer, links[0].person.regionPatientId], [REGION, 'R-100']);
  });

  it('shows a member of A only the studies of A, even though the record is linked to B', async () => {
    const history = await historyFor('memberA', recordA);
    assert.deepEqual(history?.studies.map((entry) => entry.studyInstanceUid), [atA.studyInstanceUid]);
    assert.deepEqual(history?.linkedRecords, []);
    assert.equal(await historyFor('memberA', recordB), null, "B's record is not found for A's member");
  });

  it('shows a member of A and B both facilities\' studies, newest first, each labelled with its facility', async () => {
    const history = await historyFor('memberAB', recordA);
    assert.deepEqual(
      history?.studies.map((entry) => [entry.studyInstanceUid, entry.facility.code, entry.description]),
      [
        [atB.studyInstanceUid, 'OTHER', 'MR KNEE'],
        [atA.studyInstanceUid, 'TEST', 'CT HEAD'],
      ],
    );
    assert.deepEqual(history?.linkedRecords.map((record) => [record.id, record.patientId, record.facility.name, record.link.method]), [[recordB, 'CL-7', 'Other Clinic', 'AUTOMATIC']]);
    // From B's record the same person's history, the other way round
    assert.deepEqual((await historyFor('memberAB', recordB))?.studies.map((entry) => entry.facility.code), ['OTHER', 'TEST']);
  });

  it('lets only an administrator of both facilities find and link records; NOT_FOUND for everyone else', async () => {
    for (const who of ['adminA', 'memberA', 'memberAB'] as const) {
      await assert.rejects(linkPatients(context(), users[who], { patientId: recordA, otherPatientId: recordC }), rejectsWith('NOT_FOUND'), who);
    }
    await assert.rejects(findLinkCandidates(context(), users.memberAB, { patientId: recordA, q: 'CL-8' }), rejectsWith('NOT_FOUND'));
    await assert.rejects(linkPatients(context(), users.adminBoth, { patientId: recordA, otherPatientId: 'no-such-record' }), rejectsWith('NOT_FOUND'));
    await assert.rejects(findLinkCandidates(context(), users.adminBoth, { patientId: recordA, q: 'x' }), rejectsWith('INVALID_INPUT'));

    // Found by MRN without its prefix and by name; B's record is already in this person, so not offered
    const byMrn = await findLinkCandidates(context(), users.adminBoth, { patientId: recordA, q: 'cl-' });
    assert.deepEqual(byMrn.map((candidate) => [candidate.id, candidate.facility.code, candidate.linkedElsewhere]), [[recordC, 'OTHER', false]]);
    assert.deepEqual((await findLinkCandidates(context(), users.adminBoth, { patientId: recordA, q: 'otto' })).map((candidate) => candidate.id), [recordC]);
    // An admin of A only searches A's records: nothing of B is revealed
    assert.deepEqual(await findLinkCandidates(context(), users.adminA, { patientId: recordA, q: 'CL-8' }), []);

    const { personId } = await linkPatients(context(), users.adminBoth, { patientId: recordA, otherPatientId: recordC });
    const link = await harness.db.patientLink.findFirstOrThrow({ where: { patientRef: recordC, unlinkedAt: null } });
    assert.deepEqual([link.personRef, link.method, link.linkedById], [personId, 'MANUAL', users.adminBoth.userId]);
    await assert.rejects(linkPatients(context(), users.adminBoth, { patientId: recordC, otherPatientId: recordA }), rejectsWith('CONFLICT'));

    const audit = await harness.db.auditEvent.findMany({ where: { action: 'admin.patient.link' }, orderBy: { facilityId: 'asc' } });
    assert.deepEqual(audit.map((event) => [event.facilityId, event.patientId, event.actorUserId]).sort(), [
      [harness.facilityId, 'R-100', users.adminBoth.userId],
      [harness.otherFacilityId, 'CL-8', users.adminBoth.userId],
    ].sort());
    const studies = (await historyFor('memberAB', recordA))?.studies.map((entry) => entry.studyInstanceUid).sort();
    assert.deepEqual(studies, [atA.studyInstanceUid, atB.studyInstanceUid, stranger.studyInstanceUid].sort());
  });

  it('unlinks with a reason, audited; the history is then the record\'s own, and the region ID does not link it again', async () => {
    await assert.rejects(unlinkPatient(context(), users.adminBoth, { patientId: recordA, otherPatientId: recordB, reason: '  ' }), rejectsWith('INVALID_INPUT'));
    await assert.rejects(unlinkPatient(context(), users.adminA, { patientId: recordA, otherPatientId: recordB, reason: 'wrong person' }), rejectsWith('NOT_FOUND'));
    for (const other of [recordB, recordC]) {
      await unlinkPatient(context(), users.adminBoth, { patientId: recordA, otherPatientId: other, reason: 'Different birth dates: not the same person' });
    }
    await assert.rejects(unlinkPatient(context(), users.adminBoth, { patientId: recordA, otherPatientId: recordB, reason: 'again' }), rejectsWith('CONFLICT'));
    const audit = await harness.db.auditEvent.findFirstOrThrow({ where: { action: 'admin.patient.unlink', facilityId: harness.otherFacilityId, patientId: 'CL-7' } });
    assert.equal(JSON.parse(audit.details).reason, 'Different birth dates: not the same person');
    assert.equal(JSON.parse(audit.details).linkMethod, 'AUTOMATIC');

    const history = await historyFor('memberAB', recordA);
    assert.deepEqual(history?.studies.map((entry) => entry.studyInstanceUid), [atA.studyInstanceUid]);
    assert.deepEqual(history?.linkedRecords, []);

    // A new study of B's record still carries the region ID: the administrator's unlink stands
    const later = study('links-b2', { patientId: 'CL-7', issuerOfPatientId: 'CLINIC', otherPatientIds: [{ patientId: 'R-100', issuerOfPatientId: REGION }], accessionNumber: 'B-2' });
    await ingestAll(harness, later, harness.otherFacilityId);
    assert.equal(await harness.db.patientLink.count({ where: { patientRef: recordB, unlinkedAt: null } }), 0);
    const ended = await harness.db.patientLink.findFirstOrThrow({ where: { patientRef: recordB } });
    assert.equal(ended.unlinkedById, users.adminBoth.userId);
  });
});

describe('automatic linking is off without REGION_PATIENT_ID_ISSUER', () => {
  let harness: ArchiveHarness;
  before(async () => {
    harness = await createArchiveHarness();
  });
  after(async () => {
    await harness?.cleanup();
  });

  it('stores the studies and links nothing', async () => {
    await ingestAll(harness, study('off-a', { patientId: 'R-200', issuerOfPatientId: REGION, accessionNumber: 'OFF-A' }), harness.facilityId);
    await ingestAll(harness, study('off-b', { patientId: 'CL-9', otherPatientIds: [{ patientId: 'R-200', issuerOfPatientId: REGION }], accessionNumber: 'OFF-B' }), harness.otherFacilityId);
    assert.equal(await harness.db.patient.count(), 2);
    assert.equal(await harness.db.patientLink.count(), 0);
  });
});

describe('a node with REGION_PATIENT_ID_ISSUER: C-STORE and the link API', () => {
  let server: TestServer;
  let clinicId: string;
  before(async () => {
    server = await startTestServer({ env: { DICOM_PEERS: `CT_LINK@127.0.0.1:${await freePort()}`, REGION_PATIENT_ID_ISSUER: REGION } });
    clinicId = (await server.node.db.facility.create({ data: { name: 'Hill Clinic', code: 'HILL' } })).id;
  });
  after(async () => {
    await server?.stop();
  });

  it('links the record DCMTK storescu stores, whose region ID is in OtherPatientIDsSequence, to the record another facility holds', { skip: hasDcmtk() || process.env.CI ? undefined : 'needs DCMTK (apt-get install -y dcmtk)' }, async () => {
    const db = server.node.db;
    const home = server.node.firstRun.facilityId;
    await ingestAll(server.node, study('dimse-region', { patientId: 'R-300', issuerOfPatientId: REGION, accessionNumber: 'D-REG' }), clinicId);
    const sent = study('dimse-local', { patientId: 'HOSP-3', issuerOfPatientId: 'HOSP', otherPatientIds: [{ patientId: 'R-300', issuerOfPatientId: REGION }], accessionNumber: 'D-LOC' });
    const temp = writeTempFiles(sent);
    try {
      const result = await storescu({ port: server.dicomPort, aet: 'TELEPACS' }, temp.paths, { callingAet: 'CT_LINK' });
      assert.equal(result.exitCode, 0, result.stderr);
    } finally {
      temp.cleanup();
    }
    const records = await db.patient.findMany({ where: { patientId: { in: ['R-300', 'HOSP-3'] } }, include: { links: { include: { person: true } } } });
    assert.deepEqual(records.map((record) => record.facilityId).sort(), [home, clinicId].sort());
    const [first, second] = records.map((record) => record.links[0]);
    assert.ok(first && second, 'both records are linked');
    assert.equal(first.personRef, second.personRef);
    assert.equal(first.person.regionPatientId, 'R-300');
  });

  it('answers the link routes: 201 and 204 for an admin of both facilities, 404 for others, 400 and 409 with a message', async () => {
    const db = server.node.db;
    const home = server.node.firstRun.facilityId;
    await ingestAll(server.node, study('api-home', { patientId: 'H-1', issuerOfPatientId: 'HOSP', patientName: 'Api^Anna', accessionNumber: 'API-H' }), home);
    await ingestAll(server.node, study('api-hill', { patientId: 'HC-1', issuerOfPatientId: 'HILL', patientName: 'Api^Anna', accessionNumber: 'API-C' }), clinicId);
    const [homeRecord, hillRecord] = [(await db.patient.findFirstOrThrow({ where: { patientId: 'H-1' } })).id, (await db.patient.findFirstOrThrow({ where: { patientId: 'HC-1' } })).id];
    const both = await createUser(db, { email: 'both@hill.example', memberships: [{ facilityId: home, role: 'ADMIN' }, { facilityId: clinicId, role: 'ADMIN' }] });
    const one = await createUser(db, { email: 'one@hill.example', memberships: [{ facilityId: home, role: 'ADMIN' }, { facilityId: clinicId, role: 'EXPERT' }] });
    const cookieOf = async (userId: string) => `${SESSION_COOKIE_NAME}=${(await createSession(db, { userId, ttlHours: 1 })).token}`;
    const [bothCookie, oneCookie] = [await cookieOf(both.id), await cookieOf(one.id)];
    const request = (path: string, method: string, cookie: string, body?: unknown) => {
      const url = new URL(path, server.url);
      return new Request(url, { method, headers: { host: url.host, origin: url.origin, cookie, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    };
    const params = <T extends Record<string, string>>(value: T) => ({ params: Promise.resolve(value) });
    const link = (cookie: string, body: unknown) => linkRoute(request(`/api/patients/${homeRecord}/links`, 'POST', cookie, body), params({ id: homeRecord }));
    const unlink = (cookie: string, body: unknown) => unlinkRoute(request(`/api/patients/${homeRecord}/links/${hillRecord}`, 'DELETE', cookie, body), params({ id: homeRecord, otherId: hillRecord }));

    const found = await candidatesRoute(request(`/api/patients/${homeRecord}/link-candidates?q=api`, 'GET', bothCookie), params({ id: homeRecord }));
    assert.equal(found.status, 200);
    assert.deepEqual(((await found.json()) as { candidates: { id: string; facility: { code: string } }[] }).candidates.map((c) => [c.id, c.facility.code]), [[hillRecord, 'HILL']]);

    assert.equal((await link(oneCookie, { otherPatientId: hillRecord })).status, 404);
    const missing = await link(bothCookie, {});
    assert.equal(missing.status, 400);
    assert.deepEqual(((await missing.json()) as { fields: Record<string, string> }).fields, { otherPatientId: 'Choose the record to link.' });
    const linked = await link(bothCookie, { otherPatientId: hillRecord });
    assert.equal(linked.status, 201);
    assert.ok(((await linked.json()) as { personId: string }).personId);
    const again = await link(bothCookie, { otherPatientId: hillRecord });
    assert.equal(again.status, 409);
    assert.equal(((await again.json()) as { message: string }).message, 'These records are already linked.');

    assert.equal((await unlink(oneCookie, { reason: 'not her' })).status, 404);
    assert.equal((await unlink(bothCookie, {})).status, 400);
    assert.equal((await unlink(bothCookie, { reason: 'Twins: same name and birth date' })).status, 204);
    assert.equal((await unlink(bothCookie, { reason: 'again' })).status, 409);
    assert.deepEqual(
      (await db.auditEvent.findMany({ where: { action: { startsWith: 'admin.patient.' } }, select: { action: true, facilityId: true } })).map((event) => `${event.action}@${event.facilityId === home ? 'home' : 'hill'}`).sort(),
      ['admin.patient.link@hill', 'admin.patient.link@home', 'admin.patient.unlink@hill', 'admin.patient.unlink@home'],
    );
  });
});
