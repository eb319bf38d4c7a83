// A teleconsultation lets its invited participants read its study, whatever
// their facility: an expert of another facility finds it with QIDO-RS and
// loads it with WADO-RS/WADO-URI (dicomweb-client, as OHIF and our viewer do),
// but nothing else of the patient, and only while the consultation is open.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hashPassword } from '../../lib/auth';
import { startConsultation } from '../../lib/consult/consultations';
import { endConsultation } from '../../lib/consult/end-consultation';
import { isPolicyError, readScopeFor } from '../../lib/policy';
import { createFacility, createUser } from '../../lib/policy/test-fixtures';
import { patientHistory } from '../../lib/search/patient-history';
import { studyDetail } from '../../lib/search/study-detail';
import { permitSharing, patientRefOfStudy } from '../support/consent';
import { basicAuthHeader, createDicomwebClient } from '../support/dicomweb-client';
import { makeStudy } from '../support/fixtures';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from '../support/test-server';

type DicomJson = Record<string, { vr: string; Value?: unknown[] }>;

/** The calls used here (dicomweb-client 0.11's declarations mark optional options as required). */
interface ViewerClient {
  searchForStudies(options: { queryParams?: Record<string, string> }): Promise<DicomJson[]>;
  searchForSeries(options: { studyInstanceUID: string }): Promise<DicomJson[]>;
  retrieveStudyMetadata(options: { studyInstanceUID: string }): Promise<DicomJson[]>;
  retrieveInstance(options: { studyInstanceUID: string; seriesInstanceUID: string; sopInstanceUID: string }): Promise<ArrayBuffer>;
}

const EXPERT = { email: 'expert@valley.example', password: 'valley expert password' };
const BYSTANDER = { email: 'bystander@valley.example', password: 'valley bystander password' };

describe('teleconsultation read grant over DICOMweb', () => {
  let server: TestServer;
  let adminId: string;
  let consultationId: string;
  const consulted = makeStudy({ patientId: 'GRANT-1', patientName: 'Grant^Greta', accessionNumber: 'ACC-C', series: 2, instancesPerSeries: 2, seed: 'grant-consulted' });
  const earlier = makeStudy({ patientId: 'GRANT-1', patientName: 'Grant^Greta', accessionNumber: 'ACC-E', studyDate: '20200101', series: 1, instancesPerSeries: 1, seed: 'grant-earlier' });
  const [series1] = consulted.seriesInstanceUids;
  const sop = consulted.sopInstanceUids[0][0];
  const expert = basicAuthHeader(EXPERT.email, EXPERT.password);
  const bystander = basicAuthHeader(BYSTANDER.email, BYSTANDER.password);

  const get = (path: string, authorization: string) => fetch(`${server.dicomwebUrl}${path}`, { headers: { authorization } });
  const wadoUri = (authorization: string, study = consulted.studyInstanceUid, series = series1, object = sop) =>
    fetch(`${server.url}/wado?requestType=WADO&studyUID=${study}&seriesUID=${series}&objectUID=${object}&contentType=application/dicom`, {
      headers: { authorization },
    });
  const client = (authorization: string) => createDicomwebClient(server.dicomwebUrl, authorization) as unknown as ViewerClient;
  const studyUids = (matches: DicomJson[]) => matches.map((match) => match['0020000D'].Value?.[0]);

  before(async () => {
    server = await startTestServer();
    const db = server.node.db;
    adminId = (await db.user.findUniqueOrThrow({ where: { email: TEST_ADMIN_EMAIL } })).id;
    for (const file of [...consulted, ...earlier]) {
      await server.node.archive.ingest(file, { kind: 'import', source: 'grant-test' }, server.node.firstRun.facilityId);
    }
    // The patient agreed to share their images with the region's facilities
    await permitSharing(db, await patientRefOfStudy(db, consulted.studyInstanceUid, server.node.firstRun.facilityId));
    const valley = await createFacility(db, 'Valley Clinic');
    for (const person of [EXPERT, BYSTANDER]) {
      await createUser(db, { email: person.email, passwordHash: await hashPassword(person.password), memberships: [{ facilityId: valley.id, role: 'EXPERT' }] });
    }
    ({ id: consultationId } = await startConsultation(
      { db },
      { userId: adminId, email: TEST_ADMIN_EMAIL, ip: '127.0.0.1' },
      { studyInstanceUid: consulted.studyInstanceUid, invitees: [EXPERT.email], title: 'Second opinion' },
    ));
  });
  after(async () => {
    await server?.stop();
  });

  it('lets the invited expert of another facility find and load the consulted study, and no other study of the patient', async () => {
    const viewer = client(expert);
    assert.deepEqual(studyUids(await viewer.searchForStudies({ queryParams: { PatientID: 'GRANT-1' } })), [consulted.studyInstanceUid]);
    assert.deepEqual(studyUids(await viewer.searchForStudies({})), [consulted.studyInstanceUid]);
    assert.equal((await viewer.searchForSeries({ studyInstanceUID: consulted.studyInstanceUid })).length, 2);
    assert.equal((await viewer.retrieveStudyMetadata({ studyInstanceUID: consulted.studyInstanceUid })).length, 4);
    const instance = await viewer.retrieveInstance({ studyInstanceUID: consulted.studyInstanceUid, seriesInstanceUID: series1, sopInstanceUID: sop });
    assert.ok(Buffer.from(instance).equals(consulted[0]));
    assert.equal((await get(`/studies/${consulted.studyInstanceUid}/series/${series1}/instances/${sop}/frames/1`, expert)).status, 200);
    assert.equal((await get(`/studies/${consulted.studyInstanceUid}/thumbnail`, expert)).status, 200);
    assert.equal((await wadoUri(expert)).status, 200);

    // The patient's earlier study stays hidden: a grant is for one study.
    const [earlierSeries] = earlier.seriesInstanceUids;
    for (const path of [`/studies/${earlier.studyInstanceUid}/series`, `/studies/${earlier.studyInstanceUid}/metadata`, `/studies/${earlier.studyInstanceUid}/thumbnail`]) {
      assert.equal((await get(path, expert)).status, 404, path);
    }
    assert.equal((await wadoUri(expert, earlier.studyInstanceUid, earlierSeries, earlier.sopInstanceUids[0][0])).status, 404);

    // A colleague of the expert who was not invited sees nothing.
    const search = await get('/studies?PatientID=GRANT-1', bystander);
    assert.ok(search.status === 204 || ((await search.json()) as unknown[]).length === 0);
    assert.equal((await get(`/studies/${consulted.studyInstanceUid}/metadata`, bystander)).status, 404);
    assert.equal((await wadoUri(bystander)).status, 404);
  });

  it('shows the study page and a one-study patient history to the expert, without the other studies', async () => {
    const db = server.node.db;
    const expertId = (await db.user.findUniqueOrThrow({ where: { email: EXPERT.email } })).id;
    const scope = await readScopeFor(db, expertId);
    const detail = await studyDetail(db, scope, consulted.studyInstanceUid);
    assert.ok(detail);
    assert.equal(detail.numberOfInstances, 4);
    assert.equal(await studyDetail(db, scope, earlier.studyInstanceUid), null);
    const history = await patientHistory(db, scope, detail.patient.id);
    assert.deepEqual(history?.studies.map((study) => study.studyInstanceUid), [consulted.studyInstanceUid]);
    // The facility's own members still see the whole history.
    const own = await patientHistory(db, await readScopeFor(db, adminId), detail.patient.id);
    assert.equal(own?.studies.length, 2);
  });

  it('does not let the grant be shared on: the expert cannot start a consultation on the study', async () => {
    const expertId = (await server.node.db.user.findUniqueOrThrow({ where: { email: EXPERT.email } })).id;
    await assert.rejects(
      startConsultation(server.node, { userId: expertId, email: EXPERT.email, ip: '127.0.0.1' }, { studyInstanceUid: consulted.studyInstanceUid, invitees: [BYSTANDER.email] }),
      (error: unknown) => isPolicyError(error) && error.code === 'NOT_FOUND',
    );
  });

  it('answers 404 again once the consultation has ended', async () => {
    await endConsultation(server.node.db, { userId: adminId, email: TEST_ADMIN_EMAIL, ip: '127.0.0.1' }, consultationId);
    const search = await get('/studies?PatientID=GRANT-1', expert);
    assert.ok(search.status === 204 || ((await search.json()) as unknown[]).length === 0);
    for (const path of [
      `/studies/${consulted.studyInstanceUid}/series`,
      `/studies/${consulted.studyInstanceUid}/metadata`,
      `/studies/${consulted.studyInstanceUid}/series/${series1}/instances/${sop}`,
      `/studies/${consulted.studyInstanceUid}/series/${series1}/instances/${sop}/frames/1`,
    ]) {
      assert.equal((await get(path, expert)).status, 404, path);
    }
    assert.equal((await wadoUri(expert)).status, 404);
    // The owner is unaffected.
    assert.equal((await get(`/studies/${consulted.studyInstanceUid}/metadata`, server.adminAuthorization)).status, 200);
  });
});
