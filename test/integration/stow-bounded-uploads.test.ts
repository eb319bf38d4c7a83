// STOW-RS limits and slow clients against a running Telepacs (issue 12, 2–3):
// parts stream to disk, request/part sizes answer 413, a user's uploads in
// progress are capped (503 + Retry-After), slow headers and stalled bodies are
// cut, and nothing of a refused or interrupted upload stays behind.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import path from 'node:path';
import { waitUntil } from '../support/dcmtk';
import { makeInstance } from '../support/fixtures';
import { frameFill, LARGE_BOUNDARY, LARGE_CONTENT_TYPE, largeInstance, largeStowBody } from '../support/large-stow';
import { filesUnder, stowBody } from '../support/stow';
import { startTestServer, type TestServer } from '../support/test-server';

const MIB = 1024 * 1024;

describe('STOW-RS bounded uploads and slow clients', () => {
  let server: TestServer;
  const incomingFiles = () => filesUnder(path.join(server.dataDir, 'store', 'short', '.incoming'));
  const alive = () => true;

  before(async () => {
    server = await startTestServer({
      env: {
        STOW_MAX_REQUEST_MB: '96',
        STOW_MAX_PART_MB: '64',
        STOW_CONCURRENT_PER_USER: '2',
        HTTP_HEADERS_TIMEOUT_S: '1',
        HTTP_BODY_IDLE_TIMEOUT_S: '1',
      },
    });
  });
  after(async () => {
    await server?.stop();
  });

  /** A STOW request whose body the test writes itself */
  function openStow(headers: Record<string, string | number> = {}): { req: ClientRequest; response: Promise<IncomingMessage> } {
    const req = request(`${server.dicomwebUrl}/studies`, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': LARGE_CONTENT_TYPE, accept: 'application/dicom+json', authorization: server.adminAuthorization, ...headers },
    });
    const response = new Promise<IncomingMessage>((resolve, reject) => {
      req.once('response', resolve);
      req.once('error', reject);
    });
    response.catch(() => undefined);
    return { req, response };
  }

  async function bodyOf(response: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  async function studyCount(studyInstanceUid: string): Promise<number> {
    const response = await fetch(`${server.dicomwebUrl}/studies?StudyInstanceUID=${studyInstanceUid}`, { headers: { authorization: server.adminAuthorization } });
    return response.status === 204 ? 0 : ((await response.json()) as unknown[]).length;
  }

  it('stores a part larger than what is held in memory and serves its frames from the right bytes', async () => {
    // 80 frames of 512 KiB: 40 MiB, above the 32 MiB kept in memory
    const instance = largeInstance({ seed: 'bounded-40mib', patientId: 'BOUNDED-1', frames: 80 });
    const { stream, length } = largeStowBody(instance);
    const { req, response } = openStow({ 'content-length': length });
    stream.pipe(req);
    const answer = await response;
    assert.equal(answer.statusCode, 200, (await bodyOf(answer)).toString());
    const frame = await fetch(
      `${server.dicomwebUrl}/studies/${instance.studyInstanceUid}/series/${instance.seriesInstanceUid}/instances/${instance.sopInstanceUid}/frames/77`,
      { headers: { authorization: server.adminAuthorization, accept: 'multipart/related; type="application/octet-stream"; transfer-syntax=*' } },
    );
    assert.equal(frame.status, 200);
    const bytes = Buffer.from(await frame.arrayBuffer());
    const expected = Buffer.alloc(instance.frameBytes, frameFill(76));
    assert.ok(bytes.includes(expected), 'frame 77 holds the bytes sent as frame 77');
    assert.ok(!bytes.includes(Buffer.alloc(16, frameFill(75))), 'and none of frame 76');
    assert.deepEqual(incomingFiles(), []);
  });

  it('answers 413 naming the limit, without reading the body, when Content-Length is over the request limit', async () => {
    const { req, response } = openStow({ 'content-length': 200 * MIB });
    req.write(Buffer.alloc(64 * 1024));
    const answer = await response;
    assert.equal(answer.statusCode, 413);
    assert.equal(answer.headers.connection, 'close');
    const body = JSON.parse((await bodyOf(answer)).toString()) as { error: string; code: string; limitBytes: number };
    assert.equal(body.code, 'PAYLOAD_TOO_LARGE');
    assert.match(body.error, /larger than the limit of 96 MiB/);
    assert.equal(body.limitBytes, 96 * MIB);
    req.destroy();
  });

  it('answers 413 for a part over the part limit and leaves nothing of it behind', async () => {
    // 140 frames of 512 KiB = 70 MiB, sent chunked (no Content-Length): cut at 64 MiB
    const instance = largeInstance({ seed: 'bounded-70mib', patientId: 'BOUNDED-2', frames: 140 });
    const { stream } = largeStowBody(instance);
    const { req, response } = openStow();
    stream.pipe(req);
    const answer = await response;
    stream.unpipe(req);
    stream.destroy();
    req.destroy();
    assert.equal(answer.statusCode, 413);
    const body = JSON.parse((await bodyOf(answer)).toString()) as { error: string; limitBytes: number };
    assert.match(body.error, /part 1 is larger than the limit of 64 MiB per instance/);
    await waitUntil('the incoming area is empty', async () => incomingFiles().length === 0, 10_000, alive);
    assert.equal(await studyCount(instance.studyInstanceUid), 0);
  });

  it("answers a user's upload past the concurrent limit with 503 and Retry-After, and takes the next one once one ends", async () => {
    const instances = [0, 1].map((i) => makeInstance({ seed: `bounded-busy-${i}`, patientId: 'BOUNDED-3' }));
    const opening = Buffer.from(`--${LARGE_BOUNDARY}\r\nContent-Type: application/dicom\r\n\r\n`);
    const closing = Buffer.from(`\r\n--${LARGE_BOUNDARY}--\r\n`);
    const open = instances.map(() => openStow());
    open.forEach(({ req }, i) => req.write(Buffer.concat([opening, instances[i].subarray(0, 1000)])));
    // Both stay in progress, a few bytes at a time (within the 1 s idle timeout) however slow this machine is
    const sent = [1000, 1000];
    const trickle = setInterval(() => {
      open.forEach(({ req }, i) => {
        if (req.writableEnded || sent[i] + 100 > instances[i].length) return;
        req.write(instances[i].subarray(sent[i], sent[i] + 100));
        sent[i] += 100;
      });
    }, 200);
    const finish = (i: number) => open[i].req.end(Buffer.concat([instances[i].subarray(sent[i]), closing]));
    try {
      // Both are in progress once each has its incoming file
      await waitUntil('two uploads in progress', async () => incomingFiles().length === 2, 10_000, alive);
      const { body, contentType } = stowBody([makeInstance({ seed: 'bounded-busy-third', patientId: 'BOUNDED-3' })]);
      const third = await fetch(`${server.dicomwebUrl}/studies`, {
        method: 'POST',
        headers: { 'content-type': contentType, authorization: server.adminAuthorization },
        body: new Uint8Array(body),
      });
      assert.equal(third.status, 503);
      assert.equal(third.headers.get('retry-after'), '5');
      const refusal = (await third.json()) as { error: string; code: string };
      assert.equal(refusal.code, 'BUSY');
      assert.match(refusal.error, /at most 2 STOW requests per user/);

      finish(0);
      assert.equal((await open[0].response).statusCode, 200);
      const fourth = await fetch(`${server.dicomwebUrl}/studies`, {
        method: 'POST',
        headers: { 'content-type': contentType, authorization: server.adminAuthorization },
        body: new Uint8Array(body),
      });
      assert.equal(fourth.status, 200);
      finish(1);
      assert.equal((await open[1].response).statusCode, 200);
    } finally {
      clearInterval(trickle);
    }
  });

  it('leaves no file and no index row when the client disconnects in the middle of a part', async () => {
    const file = makeInstance({ seed: 'bounded-disconnect', patientId: 'BOUNDED-4', rows: 512, columns: 512 });
    const { req, response } = openStow({ 'content-length': file.length + 200 });
    req.write(Buffer.concat([Buffer.from(`--${LARGE_BOUNDARY}\r\nContent-Type: application/dicom\r\n\r\n`), file.subarray(0, file.length / 2)]));
    await waitUntil('the part is being written', async () => incomingFiles().length === 1, 10_000, alive);
    req.destroy();
    await assert.rejects(response);
    await waitUntil('the incoming area is empty', async () => incomingFiles().length === 0, 10_000, alive);
    const uids = (await import('../support/fixtures')).instanceUids({ seed: 'bounded-disconnect', patientId: 'BOUNDED-4' });
    assert.equal(await studyCount(uids.studyInstanceUid), 0);
  });

  it('closes a connection whose request headers do not arrive within the headers timeout', async () => {
    const socket = connect(new URL(server.url).port ? Number(new URL(server.url).port) : 80, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write('POST /dicomweb/studies HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/related');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await waitUntil('the server closes the connection', async () => socket.destroyed || socket.readableEnded, 15_000, alive);
    await closed;
    assert.match(answer, /^HTTP\/1\.1 408/);
  });

  it('cuts an upload whose body stalls past the idle timeout and keeps nothing of it', async () => {
    const file = makeInstance({ seed: 'bounded-stall', patientId: 'BOUNDED-5', rows: 512, columns: 512 });
    const { req, response } = openStow({ 'content-length': file.length + 200 });
    req.write(Buffer.concat([Buffer.from(`--${LARGE_BOUNDARY}\r\nContent-Type: application/dicom\r\n\r\n`), file.subarray(0, 10_000)]));
    // Nothing more is sent: the server closes the connection (no answer is owed to a stalled client)
    await assert.rejects(response, /socket hang up|ECONNRESET/);
    await waitUntil('the incoming area is empty', async () => incomingFiles().length === 0, 10_000, alive);
  });

  it('lets a slow but steady upload run past several idle periods', async () => {
    const file = makeInstance({ seed: 'bounded-slow', patientId: 'BOUNDED-6' });
    const { body, contentType } = stowBody([file], LARGE_BOUNDARY);
    const { req, response } = openStow({ 'content-type': contentType, 'content-length': body.length });
    // Six pieces 400 ms apart: 2.4 s in all, more than twice the 1 s idle timeout
    const pieces = 6;
    for (let i = 0; i < pieces; i++) {
      req.write(body.subarray(Math.floor((i * body.length) / pieces), Math.floor(((i + 1) * body.length) / pieces)));
      if (i < pieces - 1) await new Promise((resolve) => setTimeout(resolve, 400));
    }
    req.end();
    assert.equal((await response).statusCode, 200);
  });
});
