// Issue 12 section 6, seen from outside: facility B storing facility A's UIDs
// (STOW-RS, and C-STORE from B's registered modality) is answered as any new
// study, never fails because of A, and changes nothing A sees; identical
// objects are stored once; a member of both facilities sees one copy.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { hashPassword } from '../../lib/auth';
import { createFacility, createUser } from '../../lib/policy/test-fixtures';
import { basicAuthHeader } from '../support/dicomweb-client';
import { hasDcmtk, makeStudy, type FixtureStudy } from '../support/fixtures';
import { freePort, storescu, writeTempFiles } from '../support/dcmtk';
import { filesUnder, stowBody } from '../support/stow';
import { startTestServer, type TestServer } from '../support/test-server';

const skipDimse = hasDcmtk() || process.env.CI ? undefined : 'needs DCMTK (apt-get install -y dcmtk)';

describe('UIDs across facilities (STOW-RS, C-STORE, QIDO, WADO)', () => {
  let server: TestServer;
  let valleyUser: string;
  let bothUser: string;
  const admin = () => server.adminAuthorization; // a member of the home facility (A)
  const aStudy = makeStudy({ patientId: 'UID-A', series: 2, instancesPerSeries: 2, studyDescription: 'A CT', seed: 'uids-int-a' });
  const aStudy2 = makeStudy({ patientId: 'UID-A2', series: 1, instancesPerSeries: 2, studyDescription: 'A MR', seed: 'uids-int-a2' });
  const newStudy = makeStudy({ patientId: 'UID-NEW', series: 1, instancesPerSeries: 1, seed: 'uids-int-new' });
  const [s1] = aStudy.seriesInstanceUids;
  const i1 = aStudy.sopInstanceUids[0][0];

  const get = (p: string, authorization: string) => fetch(`${server.dicomwebUrl}${p}`, { headers: { authorization, accept: 'application/dicom+json' } });
  const getBytes = async (p: string, authorization: string) =>
    Buffer.from(await (await fetch(`${server.dicomwebUrl}${p}`, { headers: { authorization, accept: 'multipart/related; type="application/dicom"' } })).arrayBuffer());
  const stow = async (files: Buffer[], authorization: string) => {
    const { body, contentType } = stowBody(files);
    const response = await fetch(`${server.dicomwebUrl}/studies`, { method: 'POST', headers: { 'content-type': contentType, authorization }, body: new Uint8Array(body) });
    return { status: response.status, json: (await response.json()) as Record<string, { Value?: unknown[] }> };
  };
  const storedFiles = () => filesUnder(path.join(server.dataDir, 'store', 'short')).filter((file) => !file.includes(`${path.sep}.`));

  /** What A's users see of A's study: QIDO, metadata, one instance's bytes */
  async function whatAsees(study: FixtureStudy = aStudy): Promise<unknown> {
    const [series1] = study.seriesInstanceUids;
    const qido = await (await get(`/studies?StudyInstanceUID=${study.studyInstanceUid}&includefield=all`, admin())).json();
    const series = await (await get(`/studies/${study.studyInstanceUid}/series`, admin())).json();
    const metadata = await (await get(`/studies/${study.studyInstanceUid}/series/${series1}/metadata`, admin())).json();
    const bytes = await getBytes(`/studies/${study.studyInstanceUid}/series/${series1}/instances/${study.sopInstanceUids[0][0]}`, admin());
    return { qido, series, metadata, bytes: bytes.includes(study[0]) };
  }

  before(async () => {
    server = await startTestServer({ env: { DICOM_PEERS: `HOME_CT@127.0.0.1:${await freePort()}` } });
    const db = server.node.db;
    const valley = await createFacility(db, 'Valley Clinic');
    const home = await db.facility.findFirstOrThrow({ where: { id: { not: valley.id } } });
    await createUser(db, { email: 'b@valley.example', passwordHash: await hashPassword('valley password 1'), memberships: [{ facilityId: valley.id, role: 'REFERRING' }] });
    await createUser(db, {
      email: 'both@region.example',
      passwordHash: await hashPassword('both password 1'),
      memberships: [
        { facilityId: valley.id, role: 'REFERRING' },
        { facilityId: home.id, role: 'REFERRING' },
      ],
    });
    valleyUser = basicAuthHeader('b@valley.example', 'valley password 1');
    bothUser = basicAuthHeader('both@region.example', 'both password 1');
    await db.dicomPeer.create({ data: { facilityId: valley.id, aet: 'VALLEY_CT', host: '127.0.0.1', port: 104 } });
    assert.equal((await stow(aStudy, admin())).status, 200);
    assert.equal((await stow(aStudy2, admin())).status, 200);
  });
  after(async () => {
    await server?.stop();
  });

  it("answers B's STOW-RS of A's study exactly as a new study, stores identical objects once, and changes nothing A sees", async () => {
    const before = await whatAsees();
    const filesBefore = storedFiles().length;
    const fresh = await stow(newStudy, valleyUser);
    const again = await stow(aStudy, valleyUser);
    assert.equal(again.status, fresh.status);
    assert.deepEqual(Object.keys(again.json).sort(), Object.keys(fresh.json).sort(), 'no failure or warning tags that a new study would not have');
    assert.equal(again.json['00081198'], undefined, 'no FailedSOPSequence');
    assert.equal((again.json['00081199']?.Value ?? []).length, aStudy.length, 'every instance referenced as stored');
    assert.equal(storedFiles().length, filesBefore + newStudy.length, "no second file for A's identical objects");
    assert.deepEqual(await whatAsees(), before);

    // B sees its own copy
    const bSearch = (await (await get(`/studies?StudyInstanceUID=${aStudy.studyInstanceUid}`, valleyUser)).json()) as unknown[];
    assert.equal(bSearch.length, 1);
    const bBytes = await getBytes(`/studies/${aStudy.studyInstanceUid}/series/${s1}/instances/${i1}`, valleyUser);
    assert.ok(bBytes.includes(aStudy[0]), "B's copy retrieves the stored bytes");
  });

  it('shows a member of both facilities one copy, the older (A), with no duplicate rows', async () => {
    const studies = (await (await get(`/studies?StudyInstanceUID=${aStudy.studyInstanceUid}`, bothUser)).json()) as unknown[];
    assert.equal(studies.length, 1);
    const instances = (await (await get(`/studies/${aStudy.studyInstanceUid}/instances`, bothUser)).json()) as unknown[];
    assert.equal(instances.length, aStudy.length);
    const all = (await (await get(`/studies?PatientID=UID-A`, bothUser)).json()) as unknown[];
    assert.equal(all.length, 1);
  });

  it("accepts B's modality C-STORE of A's UIDs with other content, and A's answers and bytes stay A's", { skip: skipDimse }, async () => {
    const before = await whatAsees(aStudy2);
    const filesBefore = storedFiles().length;
    const variant = makeStudy({ patientId: 'UID-A2', series: 1, instancesPerSeries: 2, studyDescription: 'B MR', seed: 'uids-int-a2' });
    assert.deepEqual(variant.sopInstanceUids, aStudy2.sopInstanceUids);
    const temp = writeTempFiles(variant);
    try {
      const result = await storescu({ port: server.dicomPort, aet: 'TELEPACS' }, temp.paths, { callingAet: 'VALLEY_CT' });
      assert.equal(result.exitCode, 0, result.stderr);
      assert.ok(result.responses.length === variant.length && result.responses.every((response) => response.ok), JSON.stringify(result.responses));
    } finally {
      temp.cleanup();
    }
    assert.equal(storedFiles().length, filesBefore + variant.length, 'other bytes: files of their own');
    assert.deepEqual(await whatAsees(aStudy2), before);
    const aBytes = await getBytes(`/studies/${aStudy2.studyInstanceUid}/series/${aStudy2.seriesInstanceUids[0]}/instances/${aStudy2.sopInstanceUids[0][0]}`, admin());
    assert.ok(aBytes.includes(aStudy2[0]), "A's instance is still A's bytes");
    const bSearch = (await (await get(`/studies?StudyInstanceUID=${aStudy2.studyInstanceUid}&includefield=StudyDescription`, valleyUser)).json()) as Record<string, { Value?: unknown[] }>[];
    assert.deepEqual(bSearch.map((match) => match['00081030']?.Value?.[0]), ['B MR'], 'B sees its own copy');
  });
});
