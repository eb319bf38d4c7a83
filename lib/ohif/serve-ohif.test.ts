// The /ohif handler over a small dist of its own shape, on a real database
// and a real HTTP server (the whole viewer in a browser: test/e2e/ohif.test.ts).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';
import { SESSION_COOKIE_NAME, createSession } from '../auth';
import { authContextFor } from '../auth/test-context';
import { createUser } from '../policy/test-fixtures';
import { createOhifHttpHandler } from './serve-ohif';

describe('serving OHIF under /ohif', () => {
  let testDb: TestDatabase;
  let server: Server;
  let base: string;
  let cookie: string;
  let distDir: string;
  const bundle = 'app.bundle.0123456789abcdef.js';

  before(async () => {
    testDb = await createTestDatabase();
    const context = authContextFor(testDb);
    const user = await createUser(testDb.db);
    const { token } = await createSession(testDb.db, { userId: user.id, ttlHours: 12 });
    cookie = `${SESSION_COOKIE_NAME}=${token}`;

    const work = mkdtempSync(path.join(tmpdir(), 'telepacs-ohif-dist-'));
    distDir = path.join(work, 'dist');
    mkdirSync(path.join(distDir, 'assets'), { recursive: true });
    writeFileSync(path.join(distDir, 'index.html'), '<!doctype html><title>OHIF Viewer</title>');
    writeFileSync(path.join(distDir, bundle), 'console.log("viewer");'.repeat(100));
    writeFileSync(path.join(distDir, `${bundle}.gz`), gzipSync('console.log("viewer");'.repeat(100)));
    writeFileSync(path.join(distDir, 'codec.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d]));
    writeFileSync(path.join(distDir, 'assets', 'favicon.ico'), Buffer.from([0, 0, 1, 0]));
    writeFileSync(path.join(work, 'secret.txt'), 'outside the dist');

    const handler = createOhifHttpHandler({ context, distDir });
    server = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await testDb?.cleanup();
    if (distDir) rmSync(path.dirname(distDir), { recursive: true, force: true });
  });

  const get = (target: string, headers: Record<string, string> = {}, method = 'GET') =>
    fetch(`${base}${target}`, { method, headers: { cookie, ...headers }, redirect: 'manual' });

  it('sends a request without a live session to the sign-in page, keeping the address', async () => {
    for (const headers of [{}, { cookie: `${SESSION_COOKIE_NAME}=${'A'.repeat(43)}` }] as Record<string, string>[]) {
      const response = await fetch(`${base}/ohif/viewer?StudyInstanceUIDs=1.2.3,1.2.4`, { headers, redirect: 'manual' });
      assert.equal(response.status, 303);
      assert.equal(response.headers.get('location'), `/sign-in?next=${encodeURIComponent('/ohif/viewer?StudyInstanceUIDs=1.2.3,1.2.4')}`);
    }
  });

  it("answers OHIF's client-side routes with its index.html, never cached", async () => {
    for (const target of ['/ohif', '/ohif/', '/ohif/viewer?StudyInstanceUIDs=1.2.3', '/ohif/viewer/dicomweb']) {
      const response = await get(target);
      assert.equal(response.status, 200, target);
      assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.equal(response.headers.get('cache-control'), 'no-store');
      assert.equal(response.headers.get('cross-origin-embedder-policy'), 'require-corp');
      assert.match(await response.text(), /OHIF Viewer/);
    }
  });

  it('serves our configuration as app-config.js: our archive on the same origin, basename /ohif', async () => {
    const response = await get('/ohif/app-config.js');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/javascript; charset=utf-8');
    const script = await response.text();
    assert.match(script, /"routerBasename": "\/ohif"/);
    assert.match(script, /"qidoRoot": "\/dicomweb"/);
    assert.match(script, /window\.location\.origin/);
    assert.match(script, /"option": "never"/);
  });

  it('sends files with their type, gzipped when accepted, and cached for good when their name has a content hash', async () => {
    const gzipped = await get(`/ohif/${bundle}`, { 'accept-encoding': 'gzip' });
    assert.equal(gzipped.status, 200);
    assert.equal(gzipped.headers.get('content-encoding'), 'gzip');
    assert.equal(gzipped.headers.get('cache-control'), 'private, max-age=31536000, immutable');
    assert.equal(await gzipped.text(), 'console.log("viewer");'.repeat(100));

    const plain = await get(`/ohif/${bundle}`, { 'accept-encoding': 'identity' });
    assert.equal(plain.headers.get('content-encoding'), null);
    assert.equal(plain.headers.get('content-length'), String(22 * 100));
    await plain.arrayBuffer();

    const wasm = await get('/ohif/codec.wasm');
    assert.equal(wasm.headers.get('content-type'), 'application/wasm');
    assert.equal(wasm.headers.get('cache-control'), 'private, no-cache');
    const etag = wasm.headers.get('etag') ?? '';
    await wasm.arrayBuffer();
    assert.equal((await get('/ohif/codec.wasm', { 'if-none-match': etag })).status, 304);

    assert.equal((await get('/ohif/assets/favicon.ico')).headers.get('content-type'), 'image/x-icon');
  });

  it('serves nothing outside the dist, nothing that is not there, and only GET and HEAD', async () => {
    for (const target of ['/ohif/..%2fsecret.txt', '/ohif/%2e%2e/secret.txt', '/ohif/assets/..%2f..%2fsecret.txt', '/ohif/missing.js', '/ohif/.telepacs-ohif.json']) {
      const response = await get(target);
      assert.equal(response.status, 404, target);
      assert.doesNotMatch(await response.text(), /outside the dist/);
    }
    const head = await get('/ohif/codec.wasm', {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), '4');
    const post = await get('/ohif/viewer', {}, 'POST');
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
  });

  it('tells plainly when the viewer was not installed', async () => {
    const handler = createOhifHttpHandler({ context: authContextFor(testDb), distDir: path.join(distDir, 'absent') });
    const bare = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(bare.address() as AddressInfo).port}/ohif/viewer`, { headers: { cookie } });
      assert.equal(response.status, 503);
      assert.match(await response.text(), /npm install/);
    } finally {
      await new Promise<void>((resolve) => bare.close(() => resolve()));
    }
  });
});
