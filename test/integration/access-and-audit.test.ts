// Security by default, seen from outside: a user of another facility cannot
// learn that a study exists (404, like a missing one, on every DICOMweb
// service), every access to patient data leaves an audit event, and bad
// requests are answered with a precise 4xx, never a 500.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auditQueueFor } from '../../lib/audit/audit-queue';
import { hashPassword } from '../../lib/auth';
import { createFacility, createUser } from '../../lib/policy/test-fixtures';
import { basicAuthHeader } from '../support/dicomweb-client';
import { makeStudy } from '../support/fixtures';
import { stowBody } from '../support/stow';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from '../support/test-server';

describe('access control and audit over DICOMweb', () => {
  let server: TestServer;
  let outsider: string;
  const study = makeStudy({ patientId: 'AUDIT-1', patientName: 'Audit^Anna', series: 2, instancesPerSeries: 2, seed: 'access-audit' });
  const [s1] = study.seriesInstanceUids;
  const i1 = study.sopInstanceUids[0][0];

  const get = (path: string, authorization: string, accept?: string) =>
    fetch(`${server.dicomwebUrl}${path}`, { headers: { authorization, ...(accept ? { accept } : {}) } });

  before(async () => {
    server = await startTestServer();
    const db = server.node.db;
    const clinic = await createFacility(db, 'Valley Clinic');
    await createUser(db, {
      email: 'outsider@valley.example',
      passwordHash: await hashPassword('outsider password 1'),
      memberships: [{ facilityId: clinic.id, role: 'REFERRING' }],
    });
    outsider = basicAuthHeader('outsider@valley.example', 'outsider password 1');
    const { body, contentType } = stowBody(study);
    const stored = await fetch(`${server.dicomwebUrl}/studies`, {
      method: 'POST',
      headers: { 'content-type': contentType, authorization: server.adminAuthorization },
      body: new Uint8Array(body),
    });
    assert.equal(stored.status, 200);
  });
  after(async () => {
    await server?.stop();
  });

  it('gives a user of another facility the same answers as for a study that does not exist', async () => {
    const missing = '1.2.3.4.5.6.7.8.9';
    const paths = (studyUid: string) => [
      `/studies/${studyUid}/series`,
      `/studies/${studyUid}/instances`,
      `/studies/${studyUid}/metadata`,
      `/studies/${studyUid}/series/${s1}/metadata`,
      `/studies/${studyUid}/series/${s1}/instances/${i1}`,
      `/studies/${studyUid}/series/${s1}/instances/${i1}/frames/1`,
      `/studies/${studyUid}/series/${s1}/instances/${i1}/rendered`,
      `/studies/${studyUid}/thumbnail`,
    ];
    const real = paths(study.studyInstanceUid);
    const fake = paths(missing);
    for (let k = 0; k < real.length; k++) {
      const [a, b] = await Promise.all([get(real[k], outsider), get(fake[k], outsider)]);
      assert.equal(a.status, b.status, real[k]);
      assert.ok(a.status === 404 || a.status === 204, `${real[k]}: ${a.status}`);
    }
    const search = await get(`/studies?PatientID=AUDIT-1`, outsider);
    assert.ok(search.status === 204 || (search.status === 200 && ((await search.json()) as unknown[]).length === 0));
    const wadoUri = await fetch(
      `${server.url}/wado?requestType=WADO&studyUID=${study.studyInstanceUid}&seriesUID=${s1}&objectUID=${i1}&contentType=application/dicom`,
      { headers: { authorization: outsider } },
    );
    assert.equal(wadoUri.status, 404);
    // ...while the owner sees it
    assert.equal((await get(`/studies/${study.studyInstanceUid}/series`, server.adminAuthorization)).status, 200);
  });

  it('records who stored, searched and retrieved which patient, from where, and the refused attempts', async () => {
    await get(`/studies?PatientID=AUDIT-1`, server.adminAuthorization);
    await get(`/studies/${study.studyInstanceUid}/series/${s1}/metadata`, server.adminAuthorization);
    await get(`/studies/${study.studyInstanceUid}/series/${s1}/metadata`, outsider);
    await auditQueueFor(server.node.runtime).flush(); // events are group-committed a few ms after the request
    const events = await server.node.db.auditEvent.findMany({ orderBy: { at: 'asc' } });
    const by = (actor: string, action: string, outcome: string) =>
      events.filter((e) => e.actor === actor && e.action === action && e.outcome === outcome);
    const stow = by(TEST_ADMIN_EMAIL, 'dicomweb.stow', 'SUCCESS');
    assert.equal(stow.length, 1);
    assert.equal(stow[0].studyUid, study.studyInstanceUid);
    assert.equal(stow[0].patientId, 'AUDIT-1');
    assert.match(stow[0].sourceIp, /127\.0\.0\.1/);
    assert.ok(by(TEST_ADMIN_EMAIL, 'dicomweb.qido', 'SUCCESS').length >= 1);
    const wado = by(TEST_ADMIN_EMAIL, 'dicomweb.wado', 'SUCCESS').filter((e) => e.studyUid === study.studyInstanceUid);
    assert.ok(wado.length >= 1);
    assert.equal(wado[0].patientId, 'AUDIT-1');
    const denied = by('outsider@valley.example', 'dicomweb.read', 'DENIED');
    assert.ok(denied.some((e) => e.resource.includes(`/studies/${study.studyInstanceUid}/series/${s1}/metadata`)));
  });

  it('answers bad requests with a precise 4xx, never a 500, and keeps serving', async () => {
    const bad: [string, number, string?][] = [
      ['/studies?StudyDate=2024-01-01', 400],
      ['/studies?limit=-3', 400],
      ['/studies?NoSuchAttribute=1', 400],
      ['/studies?offset=abc', 400],
      [`/studies/${study.studyInstanceUid}/series/${s1}/instances/${i1}/frames/0`, 400],
      [`/studies/${study.studyInstanceUid}/series/${s1}/instances/${i1}/frames/1,x`, 400],
      [`/studies/${study.studyInstanceUid}/series/${s1}/instances/${i1}/frames/99`, 404],
      [`/studies/${study.studyInstanceUid}/series/${s1}/instances/${i1}`, 406, 'application/pdf'],
      [`/studies/${study.studyInstanceUid}/metadata`, 406, 'application/dicom+xml'],
      ['/studies/%E0%A4%A/series', 404],
      ['/no/such/resource', 404],
    ];
    for (const [path, status, accept] of bad) {
      const response = await get(path, server.adminAuthorization, accept);
      assert.equal(response.status, status, `${path} (${accept ?? 'default'}): ${await response.text()}`);
    }
    const deleteStudy = await fetch(`${server.dicomwebUrl}/studies/${study.studyInstanceUid}`, {
      method: 'DELETE',
      headers: { authorization: server.adminAuthorization },
    });
    assert.ok(deleteStudy.status === 405 || deleteStudy.status === 400, String(deleteStudy.status));
    assert.equal((await get(`/studies/${study.studyInstanceUid}/series`, server.adminAuthorization)).status, 200);
  });
});
