// A C-STORE dataset used to be kept whole in memory while it arrived, then
// copied into one buffer: a registered modality sending a 512 MiB object took
// the server's RSS up by more than 1 GiB. Now only its first 32 MiB are held
// (instance-receiver.ts, as for STOW-RS). The server runs in its own process
// (test/support/telepacs-process.ts) so its peak RSS can be read; DCMTK's
// storescu sends a file generated one frame at a time.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { basicAuthHeader } from '../support/dicomweb-client';
import { freePort, storescu, waitUntil, writeTempFiles } from '../support/dcmtk';
import { hasDcmtk, makeInstance } from '../support/fixtures';
import { frameFill, largeInstance, writeLargeInstanceFile } from '../support/large-stow';
import { filesUnder } from '../support/stow';
import { MIB, startTelepacsProcess, type TelepacsProcess } from '../support/telepacs-process';

const skip = hasDcmtk() || process.env.CI ? undefined : 'needs DCMTK (apt-get install -y dcmtk)';
const EMAIL = 'admin@telepacs.test';
const PASSWORD = 'correct horse battery staple';
const MODALITY = 'MEMORY_MODALITY';
/** The bound for an upload (issue 12, 3), applied to C-STORE: peak RSS above idle while receiving */
const MAX_GROWTH_BYTES = 300 * MIB;

describe('C-STORE memory', { skip }, () => {
  let server: TelepacsProcess;
  let dir: string;

  before(async () => {
    server = await startTelepacsProcess({
      prefix: 'telepacs-dimse-memory-',
      env: { ADMIN_EMAIL: EMAIL, ADMIN_PASSWORD: PASSWORD, DICOM_PEERS: `${MODALITY}@127.0.0.1:${await freePort()}` },
    });
    dir = mkdtempSync(path.join(tmpdir(), 'telepacs-dimse-memory-files-'));
  });
  after(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('stores a 512 MiB dataset with the server staying under 300 MB above its idle RSS', { timeout: 10 * 60_000 }, async () => {
    const peer = { port: server.dicomPort, aet: 'TELEPACS' };
    // 1,024 frames of 512×512 16-bit: 512 MiB of Pixel Data
    const instance = largeInstance({ seed: 'dimse-memory-512mib', patientId: 'DIMSE-MEMORY-1', frames: 1024 });
    const file = path.join(dir, 'large.dcm');
    await writeLargeInstanceFile(instance, file);

    // Warm up the C-STORE path with a small image, then measure from here
    const warm = writeTempFiles([makeInstance({ seed: 'dimse-memory-warm-up', patientId: 'DIMSE-MEMORY-0' })]);
    try {
      const result = await storescu(peer, warm.paths, { callingAet: MODALITY });
      assert.deepEqual(result.responses.map((response) => response.status), ['Success'], result.stderr);
    } finally {
      warm.cleanup();
    }
    const idle = server.resetPeak();

    const sent = await storescu(peer, [file], { callingAet: MODALITY, propose: 'explicitLittle', timeoutMs: 5 * 60_000 });
    assert.deepEqual(sent.responses.map((response) => response.status), ['Success'], sent.stderr);

    const { peak } = server.memory();
    const growth = peak - idle;
    process.stdout.write(`server RSS idle ${(idle / MIB).toFixed(0)} MiB, peak ${(peak / MIB).toFixed(0)} MiB while receiving 512 MiB by C-STORE (+${(growth / MIB).toFixed(0)} MiB)\n`);
    assert.ok(growth < MAX_GROWTH_BYTES, `peak RSS grew by ${(growth / MIB).toFixed(0)} MiB`);

    const frame = await fetch(
      `${server.dicomwebUrl}/studies/${instance.studyInstanceUid}/series/${instance.seriesInstanceUid}/instances/${instance.sopInstanceUid}/frames/1000`,
      { headers: { authorization: basicAuthHeader(EMAIL, PASSWORD), accept: 'multipart/related; type="application/octet-stream"; transfer-syntax=*' } },
    );
    assert.equal(frame.status, 200);
    assert.ok(Buffer.from(await frame.arrayBuffer()).includes(Buffer.alloc(instance.frameBytes, frameFill(999))), 'frame 1000 holds its own bytes');
    await waitUntil(
      'the incoming area is empty',
      async () => filesUnder(path.join(server.dataDir, 'store', 'short', '.incoming')).length === 0,
      10_000,
      () => server.child.exitCode === null,
    );
  });
});
