// The upload page's result, from a real STOW-RS answer to what a person reads:
// each stored instance's study (from its RetrieveURL), then per study the
// patient, MRN, description, date and counts, with the ids the page links to
// (lib/search/uploaded-studies.ts). Someone who may not read a study gets
// nothing about it. Real server, real DICOM, on SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createFacility, createUser } from '../../lib/policy/test-fixtures';
import { summarizeUploadedStudies } from '../../lib/search/uploaded-studies';
import { parseStowResponse } from '../../app/upload/stow-client';
import { makeStudy } from '../support/fixtures';
import { stowBody } from '../support/stow';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from '../support/test-server';

describe('what an upload stored', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.stop();
  });

  it('names the patient and study of every stored instance, with links and counts, for the uploader only', async () => {
    const chest = makeStudy({ patientId: 'MRN-4471203', patientName: 'Keller^Anna', studyDescription: 'CT chest', series: 1, instancesPerSeries: 3, seed: 'upload-summary-1' });
    const knee = makeStudy({ patientId: 'MRN-5550001', patientName: 'Roth^Ben', studyDescription: 'MR knee', series: 1, instancesPerSeries: 1, seed: 'upload-summary-2' });
    const { body, contentType } = stowBody([...chest, ...knee, Buffer.from('not a DICOM file')]);
    const response = await fetch(`${server.dicomwebUrl}/studies`, {
      method: 'POST',
      headers: { authorization: server.adminAuthorization, 'content-type': contentType, accept: 'application/dicom+json' },
      body: new Uint8Array(body),
    });
    assert.equal(response.status, 202, 'some stored, one failed');
    const answer = parseStowResponse(await response.json());
    assert.deepEqual(
      answer.stored.map((instance) => instance.studyInstanceUid),
      [chest.studyInstanceUid, chest.studyInstanceUid, chest.studyInstanceUid, knee.studyInstanceUid],
    );
    assert.equal(answer.failed.length, 1);

    const db = server.node.db;
    const admin = await db.user.findUniqueOrThrow({ where: { email: TEST_ADMIN_EMAIL } });
    const studies = await summarizeUploadedStudies({ db }, admin.id, [...new Set(answer.stored.map((instance) => instance.studyInstanceUid!))]);
    assert.deepEqual(
      studies.map((study) => [study.patient.name, study.patient.patientId, study.description, study.numberOfInstances]),
      [
        ['Keller^Anna', 'MRN-4471203', 'CT chest', 3],
        ['Roth^Ben', 'MRN-5550001', 'MR knee', 1],
      ],
    );
    const patient = await db.patient.findFirstOrThrow({ where: { patientId: 'MRN-4471203' } });
    assert.equal(studies[0].patient.id, patient.id, 'the id the patient page (/patients/{id}) takes');
    assert.equal(studies[0].studyInstanceUid, chest.studyInstanceUid);
    assert.match(studies[0].studyDate, /^\d{8}$/);

    const valley = await createFacility(db, 'Valley Clinic');
    const outsider = await createUser(db, { email: 'outsider@valley.example', memberships: [{ facilityId: valley.id, role: 'EXPERT' }] });
    assert.deepEqual(await summarizeUploadedStudies({ db }, outsider.id, [chest.studyInstanceUid, knee.studyInstanceUid]), []);
    assert.deepEqual(await summarizeUploadedStudies({ db }, admin.id, ['1.2.3.4.5.6.7']), [], 'an unknown UID is simply absent');
  });
});
