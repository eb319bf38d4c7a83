// A C-STORE dataset larger than the in-memory limit (32 MiB,
// instance-receiver.ts), sent by DCMTK's storescu: it is written to the
// store while it arrives and parsed from its head and the file, then served
// back exactly as received; one whose header does not fit in that head is
// refused (0xA700). The server's memory while receiving one is
// measured in dimse-memory.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, storescu, writeTempFiles } from '../support/dcmtk';
import { datasetOffset, encodeElement, withElementInserted } from '../support/dicom-bytes';
import { rawCStore } from '../support/raw-dimse';
import { hasDcmtk, makeStudy } from '../support/fixtures';
import { frameFill, largeInstance, writeLargeInstanceFile } from '../support/large-stow';
import { startTestServer, type TestServer } from '../support/test-server';
import { IN_MEMORY_INSTANCE_BYTES } from '../../pacs-core/instance-receiver';
import type { FsBlobStore } from '../../pacs-core/store/fs-blob-store';

const skip = hasDcmtk() || process.env.CI ? undefined : 'needs DCMTK (apt-get install -y dcmtk)';
const MODALITY = 'LARGE_MODALITY';

/** The dataset of a Part 10 file: what a C-STORE carries (the receiver writes the File Meta group anew). */
function datasetBytes(file: Buffer): Buffer {
  const metaLength = file.readUInt32LE(140); // (0002,0000) FileMetaInformationGroupLength
  return file.subarray(132 + 12 + metaLength);
}

describe('C-STORE of a dataset above the in-memory limit (DCMTK storescu)', { skip }, () => {
  let server: TestServer;
  let dir: string;

  before(async () => {
    server = await startTestServer({ env: { DICOM_PEERS: `${MODALITY}@127.0.0.1:${await freePort()}` } });
    dir = mkdtempSync(path.join(tmpdir(), 'telepacs-large-cstore-'));
  });
  after(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('stores it, serves it back byte for byte with its frames, and takes an identical re-send as a duplicate', async () => {
    // 80 frames of 512×512 16-bit: 40 MiB, above the 32 MiB kept in memory
    const instance = largeInstance({ seed: 'large-cstore', patientId: 'LARGE-CSTORE', frames: 80 });
    assert.ok(instance.size > IN_MEMORY_INSTANCE_BYTES);
    const file = path.join(dir, 'large.dcm');
    await writeLargeInstanceFile(instance, file);
    const peer = { port: server.dicomPort, aet: 'TELEPACS' };
    // Explicit VR little endian only: storescu sends the file's dataset unchanged
    const sent = await storescu(peer, [file], { callingAet: MODALITY, propose: 'explicitLittle' });
    assert.equal(sent.exitCode, 0, sent.stderr);
    assert.deepEqual(
      sent.responses.map((response) => response.status),
      ['Success'],
    );

    const row = await server.node.db.instance.findFirst({ where: { sopInstanceUid: instance.sopInstanceUid } });
    assert.ok(row, 'the instance is indexed');
    assert.equal(row.numberOfFrames, 80);
    assert.equal(row.origin, `dimse:${MODALITY}`);

    const base = `${server.dicomwebUrl}/studies/${instance.studyInstanceUid}/series/${instance.seriesInstanceUid}/instances/${instance.sopInstanceUid}`;
    const authorization = server.adminAuthorization;
    const back = await fetch(base, { headers: { accept: 'multipart/related; type="application/dicom"; transfer-syntax=*', authorization } });
    assert.equal(back.status, 200);
    const retrieved = Buffer.from(await back.arrayBuffer());
    const dataset = datasetBytes(readFileSync(file));
    const at = retrieved.indexOf(dataset);
    assert.ok(at > 0, 'the retrieved instance holds the dataset as sent, byte for byte');
    // The file served: our File Meta (preamble, "DICM", group 0002) and that dataset, nothing more
    const served = retrieved.subarray(retrieved.indexOf('DICM') - 128, at + dataset.length);
    assert.equal(served.length, row.size);
    assert.ok(datasetBytes(served).equals(dataset));
    for (const frame of [1, 33, 80]) {
      const answer = await fetch(`${base}/frames/${frame}`, {
        headers: { accept: 'multipart/related; type="application/octet-stream"; transfer-syntax=*', authorization },
      });
      assert.equal(answer.status, 200);
      const bytes = Buffer.from(await answer.arrayBuffer());
      assert.ok(bytes.includes(Buffer.alloc(instance.frameBytes, frameFill(frame - 1))), `frame ${frame} holds its own bytes`);
      assert.ok(bytes.length < instance.frameBytes + 1024, `frame ${frame} is one frame`);
    }

    // The SHA-256 computed on the way matches the stored copy's: a retry is an idempotent success
    const again = await storescu(peer, [file], { callingAet: MODALITY, propose: 'explicitLittle' });
    assert.deepEqual(
      again.responses.map((response) => response.status),
      ['Success'],
    );
    assert.equal(await server.node.db.instance.count({ where: { sopInstanceUid: instance.sopInstanceUid } }), 1);
    const incoming = path.join((server.node.archive.store as FsBlobStore).root, '.incoming');
    assert.deepEqual(readdirSync(incoming), [], 'no temp file left in .incoming');
  });

  it('refuses with 0xA700 a dataset above the limit whose Pixel Data does not start within its first 32 MiB, and keeps nothing', async () => {
    // A 33 MiB private OB element before Pixel Data: the header does not fit in the head kept in memory
    const bulky = encodeElement(0x0009, 0x1010, 'OB', Buffer.alloc(IN_MEMORY_INSTANCE_BYTES + 1024 * 1024, 0x5a));
    const instance = largeInstance({ seed: 'large-header', patientId: 'LARGE-HEADER', frames: 4, editHeader: (file) => withElementInserted(file, bulky) });
    const file = Buffer.concat([instance.header, ...Array.from({ length: instance.frames }, (_, frame) => Buffer.alloc(instance.frameBytes, frameFill(frame)))]);
    const answer = await rawCStore(server.dicomPort, {
      callingAet: MODALITY,
      calledAet: 'TELEPACS',
      sopClassUid: '1.2.840.10008.5.1.4.1.1.7.3',
      sopInstanceUid: instance.sopInstanceUid,
      dataset: file.subarray(datasetOffset(file)),
      bytesPerPdu: 256 * 1024,
    });
    assert.equal(answer.status, 0xa700);
    assert.match(answer.errorComment ?? '', /^an instance larger than 32 MiB must have its Pixel Data start/);
    assert.equal(await server.node.db.instance.count({ where: { sopInstanceUid: instance.sopInstanceUid } }), 0);
    const incoming = path.join((server.node.archive.store as FsBlobStore).root, '.incoming');
    assert.deepEqual(readdirSync(incoming), [], 'no temp file left in .incoming');
  });

  it('refuses with 0xA700 a dataset larger than DICOM_MAX_DATASET_MB, writes nothing of it, and the association goes on', async () => {
    const small = await startTestServer({ env: { DICOM_PEERS: `${MODALITY}@127.0.0.1:${await freePort()}`, DICOM_MAX_DATASET_MB: '1' } });
    const temp = writeTempFiles(makeStudy({ patientId: 'AFTER-BIG', series: 1, instancesPerSeries: 1, seed: 'after-big' }));
    try {
      // 4 frames of 512×512 16-bit: 2 MiB, over the 1 MiB limit
      const instance = largeInstance({ seed: 'over-limit', patientId: 'OVER-LIMIT', frames: 4 });
      const file = path.join(dir, 'over-limit.dcm');
      await writeLargeInstanceFile(instance, file);
      const sent = await storescu({ port: small.dicomPort, aet: 'TELEPACS' }, [file, ...temp.paths], { callingAet: MODALITY, propose: 'explicitLittle', noHalt: true });
      assert.equal(sent.responses.length, 2, sent.stderr);
      assert.equal(sent.responses[0].ok, false);
      assert.match(sent.stderr + sent.stdout, /OutOfResources|0xa700/i);
      assert.equal(sent.responses[1].status, 'Success', 'the next image on the same association is stored');
      assert.equal(await small.node.db.instance.count({ where: { sopInstanceUid: instance.sopInstanceUid } }), 0);
      const root = (small.node.archive.store as FsBlobStore).root;
      assert.deepEqual(readdirSync(path.join(root, '.incoming')), [], 'no temp file left in .incoming');
      assert.deepEqual(readdirSync(root).filter((entry) => entry !== '.incoming').length, 1, 'only the small study in the store');
    } finally {
      temp.cleanup();
      await small.stop();
    }
  });
});
