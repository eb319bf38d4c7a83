// Issue 20: the archive's files in an S3 bucket (STORAGE_URL=s3://…), against a
// real S3-compatible server, Ceph's radosgw on a one-node cluster: C-STORE from
// DCMTK lands as objects (a large one as a multipart upload), nothing stays on the
// local disk, WADO-RS serves the object's bytes and frames by ranged reads, the
// health check probes the bucket, a study deletion removes its objects.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ListObjectsV2Command, GetObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '../../pacs-core/store/s3-config';
import { deleteStudy } from '../../pacs-core/delete-study';
import { hasCommand, startCeph, type CephS3 } from '../support/ceph';
import { freePort, storescu, writeTempFiles } from '../support/dcmtk';
import { makeStudy } from '../support/fixtures';
import { filesUnder } from '../support/stow';
import { startTestServer, type TestServer } from '../support/test-server';

const skip = hasCommand('radosgw') || process.env.CI ? undefined : 'needs Ceph (deploy/ceph-single-node.sh install)';

describe('the archive on an S3 bucket (Ceph radosgw)', { skip }, () => {
  let ceph: CephS3;
  let server: TestServer;
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  // Two small CT images and one of 3072² 16-bit (18 MiB: over the 16 MiB part size, so a multipart upload)
  const small = makeStudy({ patientId: 'S3-1', series: 1, instancesPerSeries: 2, seed: 's3-small' });
  const large = makeStudy({ patientId: 'S3-2', series: 1, instancesPerSeries: 1, rows: 3072, columns: 3072, seed: 's3-large' });
  const s3 = () => createS3Client({ endpoint: ceph.endpoint });
  const objects = async () => ((await s3().send(new ListObjectsV2Command({ Bucket: ceph.bucket, Prefix: 'site-a/' }))).Contents ?? []).map((object) => ({ key: object.Key ?? '', size: object.Size ?? 0 }));

  before(async () => {
    ceph = await startCeph('site-a');
    // The AWS SDK's own variables, read by the server in this process and by the test's client
    process.env.AWS_ACCESS_KEY_ID = ceph.env.AWS_ACCESS_KEY_ID;
    process.env.AWS_SECRET_ACCESS_KEY = ceph.env.AWS_SECRET_ACCESS_KEY;
    server = await startTestServer({ env: { STORAGE_URL: ceph.env.STORAGE_URL, S3_ENDPOINT: ceph.env.S3_ENDPOINT, S3_REGION: ceph.env.S3_REGION, DICOM_PEERS: `S3_CT@127.0.0.1:${await freePort()}` } });
  });
  after(async () => {
    await server?.stop();
    await ceph?.stop();
    process.env.AWS_ACCESS_KEY_ID = saved.id;
    process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
    if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
  });

  it('stores C-STORE images as objects under the prefix, none on the local disk', async () => {
    const temp = writeTempFiles([...small, ...large]);
    try {
      const result = await storescu({ port: server.dicomPort, aet: 'TELEPACS' }, temp.paths, { callingAet: 'S3_CT' });
      assert.equal(result.exitCode, 0, result.stderr);
      assert.deepEqual(result.responses.map((response) => response.ok), [true, true, true], JSON.stringify(result.responses));
    } finally {
      temp.cleanup();
    }
    const stored = await objects();
    const expected = [...small.sopInstanceUids.flat(), ...large.sopInstanceUids.flat()].map((uid) => `${uid}.dcm`);
    assert.deepEqual(stored.map((object) => object.key.split('/').pop()).sort(), expected.sort());
    assert.ok(stored.every((object) => [small, large].some((study) => object.key.startsWith(`site-a/${study.studyInstanceUid}/`))), 'keyed by study under the prefix');
    assert.ok(Math.max(...stored.map((object) => object.size)) > 18 * 1024 * 1024, 'the large image whole');
    assert.deepEqual(filesUnder(server.dataDir).filter((file) => file.endsWith('.dcm') || file.endsWith('.spool')), [], 'nothing kept on the local disk');
  });

  it("serves the object's bytes by WADO-RS, and a frame by a ranged read", async () => {
    const [series] = large.seriesInstanceUids;
    const [sop] = large.sopInstanceUids[0];
    const base = `${server.dicomwebUrl}/studies/${large.studyInstanceUid}/series/${series}/instances/${sop}`;
    const key = (await objects()).find((object) => object.key.endsWith(`${sop}.dcm`))!.key;
    const object = Buffer.from(await (await s3().send(new GetObjectCommand({ Bucket: ceph.bucket, Key: key }))).Body!.transformToByteArray());
    const instance = await fetch(base, { headers: { authorization: server.adminAuthorization, accept: 'multipart/related; type="application/dicom"' } });
    assert.equal(instance.status, 200);
    const body = Buffer.from(await instance.arrayBuffer());
    assert.ok(body.includes(object), 'the multipart answer carries the stored object byte for byte');
    const frame = await fetch(`${base}/frames/1`, { headers: { authorization: server.adminAuthorization, accept: 'multipart/related; type="application/octet-stream"; transfer-syntax=*' } });
    assert.equal(frame.status, 200);
    const frameBody = Buffer.from(await frame.arrayBuffer());
    const pixels = 3072 * 3072 * 2;
    assert.ok(frameBody.length > pixels && frameBody.length < pixels + 1000, `one frame of ${pixels} bytes in its part (${frameBody.length})`);
    assert.ok(frameBody.includes(object.subarray(object.length - pixels, object.length - pixels + 4096)), "the frame's bytes are the object's pixel data");
  });

  it('reports the bucket healthy, and removes the objects of a deleted study', async () => {
    const health = await fetch(`${server.url}/api/health`);
    assert.deepEqual([health.status, await health.json()], [200, { status: 'ok' }]);
    const facility = await server.node.db.facility.findFirstOrThrow({ where: { studies: { some: { studyInstanceUid: small.studyInstanceUid } } } });
    await deleteStudy(server.node.archive, small.studyInstanceUid, facility.id);
    assert.deepEqual((await objects()).map((object) => object.key.split('/')[1]), [large.studyInstanceUid], "the other study's object stays");
    await deleteStudy(server.node.archive, large.studyInstanceUid, facility.id);
    assert.deepEqual(await objects(), []);
  });
});
