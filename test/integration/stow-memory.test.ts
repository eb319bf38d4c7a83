// Issue 12, 3: a 1 GiB STOW-RS part took the server from 0.3 to 4.4 GB of
// RSS. The server runs in its own process here (the headless archive the
// benches start, bench/support/telepacs-node.ts) so its peak RSS (VmHWM, reset
// after warm-up through /proc/<pid>/clear_refs) can be read; the test process
// generates the body as a stream, one 512 KiB frame at a time.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request, type IncomingMessage } from 'node:http';
import path from 'node:path';
import { waitUntil } from '../support/dcmtk';
import { basicAuthHeader } from '../support/dicomweb-client';
import { makeInstance } from '../support/fixtures';
import { frameFill, LARGE_CONTENT_TYPE, largeInstance, largeStowBody } from '../support/large-stow';
import { filesUnder, stowBody } from '../support/stow';
import { MIB, startTelepacsProcess, type TelepacsProcess } from '../support/telepacs-process';

const EMAIL = 'admin@telepacs.test';
const PASSWORD = 'correct horse battery staple';
const AUTHORIZATION = basicAuthHeader(EMAIL, PASSWORD);
/** The bound: the server's peak RSS while receiving the 1 GiB part, above its idle RSS */
const MAX_GROWTH_BYTES = 300 * MIB;

describe('STOW-RS memory', () => {
  let server: TelepacsProcess;

  before(async () => {
    server = await startTelepacsProcess({ prefix: 'telepacs-stow-memory-', env: { ADMIN_EMAIL: EMAIL, ADMIN_PASSWORD: PASSWORD } });
  });
  after(async () => {
    await server?.stop();
  });

  it('stores a 1 GiB part with the server staying under 300 MB above its idle RSS', { timeout: 10 * 60_000 }, async () => {
    // Warm up the ingest path with a small upload, then measure from here
    const { body, contentType } = stowBody([makeInstance({ seed: 'memory-warm-up', patientId: 'MEMORY-0' })]);
    const warm = await fetch(`${server.dicomwebUrl}/studies`, { method: 'POST', headers: { 'content-type': contentType, authorization: AUTHORIZATION }, body: new Uint8Array(body) });
    assert.equal(warm.status, 200);
    const idle = server.resetPeak();

    // 2,048 frames of 512×512 16-bit: 1 GiB of Pixel Data
    const instance = largeInstance({ seed: 'memory-1gib', patientId: 'MEMORY-1', frames: 2048 });
    const { stream, length } = largeStowBody(instance);
    const answer = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(`${server.dicomwebUrl}/studies`, {
        method: 'POST',
        agent: false,
        headers: { 'content-type': LARGE_CONTENT_TYPE, 'content-length': length, authorization: AUTHORIZATION },
      });
      req.once('response', resolve);
      req.once('error', reject);
      stream.pipe(req);
    });
    const chunks: Buffer[] = [];
    for await (const chunk of answer) chunks.push(chunk as Buffer);
    assert.equal(answer.statusCode, 200, Buffer.concat(chunks).toString());

    const { peak } = server.memory();
    const growth = peak - idle;
    process.stdout.write(`server RSS idle ${(idle / MIB).toFixed(0)} MiB, peak ${(peak / MIB).toFixed(0)} MiB while storing 1 GiB (+${(growth / MIB).toFixed(0)} MiB)\n`);
    assert.ok(growth < MAX_GROWTH_BYTES, `peak RSS grew by ${(growth / MIB).toFixed(0)} MiB`);

    const frame = await fetch(
      `${server.dicomwebUrl}/studies/${instance.studyInstanceUid}/series/${instance.seriesInstanceUid}/instances/${instance.sopInstanceUid}/frames/2000`,
      { headers: { authorization: AUTHORIZATION, accept: 'multipart/related; type="application/octet-stream"; transfer-syntax=*' } },
    );
    assert.equal(frame.status, 200);
    assert.ok(Buffer.from(await frame.arrayBuffer()).includes(Buffer.alloc(instance.frameBytes, frameFill(1999))), 'frame 2000 holds its own bytes');
    await waitUntil('the incoming area is empty', async () => filesUnder(path.join(server.dataDir, 'store', 'short', '.incoming')).length === 0, 10_000, () => server.child.exitCode === null);
  });
});
