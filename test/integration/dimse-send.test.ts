// The C-STORE SCU behind archive.sendTo(), with DCMTK storescp as the peer:
// stored files go out unchanged when the peer takes their transfer syntax,
// transcoded when it does not, and an unreachable peer fails every instance.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { fixture, fixtureSkipReason, fixtureSource, hasDcmtk, makeStudy } from '../support/fixtures';
import { freePort, readDataset, sopInstanceUidOf, startStorescp, writeTempFiles } from '../support/dcmtk';
import { createArchiveHarness, type ArchiveHarness } from '../support/archive-harness';
import { datasetOffset } from '../../pacs-core/dimse/part10-header';

const skip = hasDcmtk() || process.env.CI ? undefined : 'needs DCMTK (apt-get install -y dcmtk)';

describe('archive.sendTo (C-STORE SCU)', { skip }, () => {
  let harness: ArchiveHarness;
  before(async () => {
    harness = await createArchiveHarness();
  });
  after(async () => {
    await harness?.cleanup();
  });

  it('sends every instance of a study as stored, with the counts', async () => {
    const study = makeStudy({ patientId: 'DIMSE-SEND-1', accessionNumber: 'DSEND1', series: 2, instancesPerSeries: 2, seed: 'dimse-send' });
    for (const bytes of study) await harness.archive.ingest(bytes, { kind: 'import', source: 'test' }, harness.facilityId);
    const storescp = await startStorescp({ aet: 'SEND_DEST', bitPreserving: true });
    try {
      const result = await harness.archive.sendTo({ aet: 'SEND_DEST', host: '127.0.0.1', port: storescp.port }, study.studyInstanceUid);
      assert.deepEqual({ total: result.total, completed: result.completed, failed: result.failed }, { total: 4, completed: 4, failed: 0 });
      const received = storescp.files();
      assert.equal(received.length, 4);
      const sentBySop = new Map(study.sopInstanceUids.flat().map((sop, i) => [sop, study[i]]));
      for (const file of received) {
        const bytes = readFileSync(file);
        const sent = sentBySop.get(sopInstanceUidOf(file));
        assert.ok(sent);
        assert.ok(bytes.subarray(datasetOffset(bytes)).equals(sent.subarray(datasetOffset(sent))), 'dataset unchanged');
      }
    } finally {
      await storescp.stop();
    }
  });

  it('transcodes a compressed instance for a peer that accepts only uncompressed syntaxes', { skip: fixtureSkipReason('rle') }, async () => {
    const rle = fixture('rle');
    const stored = await harness.archive.ingest(rle, { kind: 'import', source: 'test' }, harness.facilityId);
    const storescp = await startStorescp({ aet: 'PLAIN_DEST', accept: 'uncompressed' });
    try {
      const result = await harness.archive.sendTo({ aet: 'PLAIN_DEST', host: '127.0.0.1', port: storescp.port }, stored.studyInstanceUid);
      assert.equal(result.completed, 1, JSON.stringify(result));
      const [file] = storescp.files();
      const received = readDataset(file);
      // Lossless: the decoded pixels are those of the uncompressed file the fixture was made from
      const source = writeTempFiles([fixtureSource('rle')]);
      try {
        const original = readDataset(source.paths[0]);
        assert.equal(received.SOPInstanceUID, stored.sopInstanceUid);
        assert.ok(pixels(received).equals(pixels(original)), 'the same pixels');
      } finally {
        source.cleanup();
      }
    } finally {
      await storescp.stop();
    }
  });

  it('fails every instance when the peer cannot be reached', async () => {
    const study = makeStudy({ patientId: 'DIMSE-SEND-2', accessionNumber: 'DSEND2', series: 1, instancesPerSeries: 2, seed: 'dimse-send-2' });
    for (const bytes of study) await harness.archive.ingest(bytes, { kind: 'import', source: 'test' }, harness.facilityId);
    const result = await harness.archive.sendTo({ aet: 'GONE', host: '127.0.0.1', port: await freePort() }, study.studyInstanceUid);
    assert.deepEqual({ completed: result.completed, failed: result.failed, failedSopInstanceUids: result.failedSopInstanceUids.length }, { completed: 0, failed: 2, failedSopInstanceUids: 2 });
  });
});

function pixels(dataset: Record<string, unknown>): Buffer {
  const value = dataset.PixelData;
  const first = Array.isArray(value) ? value[0] : value;
  assert.ok(first instanceof ArrayBuffer, 'native pixel data');
  return Buffer.from(first);
}
