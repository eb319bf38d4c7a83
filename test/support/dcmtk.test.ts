// The DCMTK helpers against a plain DCMTK storescp: if these pass, a failure
// in a Telepacs DIMSE test is about Telepacs, not about how we drive DCMTK.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { echoscu, findscu, hasDcmtk, sopInstanceUidOf, startStorescp, storescu, writeTempFiles, type RunningStorescp, type TempFiles } from './dcmtk';
import { makeStudy } from './fixtures';

// Under CI DCMTK is installed by .ci/run: a missing tool must fail there, not skip.
const skip = hasDcmtk() || process.env.CI ? false : 'needs DCMTK (apt-get install -y dcmtk)';

/** The dataset part of a Part 10 file: what a C-STORE carries (the file meta group is rewritten by the receiver). */
function datasetBytes(file: Buffer): Buffer {
  const metaLength = file.readUInt32LE(140); // (0002,0000) FileMetaInformationGroupLength
  return file.subarray(132 + 12 + metaLength);
}

describe('DCMTK helpers against a plain storescp', { skip }, () => {
  let scp: RunningStorescp;
  let study: ReturnType<typeof makeStudy>;
  let files: TempFiles;

  before(async () => {
    scp = await startStorescp({ aet: 'TEST_SCP' });
    study = makeStudy({ patientId: 'DCMTK-HELPERS', series: 2, instancesPerSeries: 3, seed: 'dcmtk-helpers' });
    files = writeTempFiles(study);
  });
  after(async () => {
    await scp?.stop();
    files?.cleanup();
  });

  it('echoes with C-ECHO and reports success', async () => {
    const result = await echoscu({ port: scp.port, aet: 'TEST_SCP' });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stderr, /Received Echo Response \(Success\)/);
  });

  it('stores files listed one by one, and storescp receives every byte of each dataset', async () => {
    const result = await storescu({ port: scp.port, aet: 'TEST_SCP' }, files.paths.slice(0, 3));
    assert.equal(result.exitCode, 0, result.stderr);
    assert.deepEqual(
      result.responses.map((response) => response.ok),
      [true, true, true],
    );
    const received = new Map(scp.files().map((file) => [sopInstanceUidOf(file), file]));
    for (const [index, sopInstanceUid] of study.sopInstanceUids[0].entries()) {
      const file = received.get(sopInstanceUid);
      assert.ok(file, `storescp did not receive ${sopInstanceUid}`);
      assert.ok(datasetBytes(readFileSync(file)).equals(datasetBytes(study[index])), `dataset of ${sopInstanceUid} changed in transit`);
    }
  });

  it('stores a whole directory on one association, proposing implicit VR only', async () => {
    const result = await storescu({ port: scp.port, aet: 'TEST_SCP' }, [files.dir], { propose: 'implicitOnly', callingAet: 'HELPER_SCU' });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(result.responses.length, 6);
    assert.equal(result.stderr.match(/Requesting Association/g)?.length, 1);
    assert.deepEqual(new Set(scp.sopInstanceUids()), new Set(study.sopInstanceUids.flat()));
  });

  it('reports a refused association with a non-zero exit, not a hang', async () => {
    const refusing = await startStorescp({ aet: 'REFUSING', extraArgs: ['--refuse'] });
    try {
      const result = await storescu({ port: refusing.port, aet: 'REFUSING' }, files.paths.slice(0, 1), { timeoutMs: 20_000 });
      assert.notEqual(result.exitCode, 0);
      assert.equal(result.timedOut, false);
      assert.equal(refusing.files().length, 0);
    } finally {
      await refusing.stop();
    }
  });

  it('kills a tool that outlives its timeout', async () => {
    // storescp answers no C-FIND; findscu would then fail fast. A port that
    // accepts TCP but never speaks DICOM is what makes a client wait.
    const { createServer } = await import('node:net');
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const result = await findscu({ port, aet: 'SILENT' }, { level: 'STUDY', keys: { StudyInstanceUID: '' }, timeoutMs: 1_500 });
      assert.equal(result.timedOut, true);
      assert.equal(result.exitCode, null);
    } finally {
      silent.close();
    }
  });

  it('stops storescp and removes its directory', async () => {
    const other = await startStorescp({ aet: 'SHORT_LIVED' });
    await other.stop();
    assert.equal((await echoscu({ port: other.port, aet: 'SHORT_LIVED' }, { timeoutMs: 10_000 })).exitCode === 0, false);
    assert.deepEqual(other.files(), []);
  });
});
