// Telepacs behind nginx with TLS, as deploy/nginx/telepacs.conf sets it up
// (that file, with test ports, paths and a throwaway self-signed certificate
// substituted): sign-in, QIDO, a streamed STOW-RS upload and the socket.io
// WebSocket all work over https, the client's address and scheme reach the
// audit trail, and HSTS is sent. Skipped when nginx is not installed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import { REALTIME_EVENTS, REALTIME_NAMESPACE } from '../../lib/realtime/events';
import { acceptsConnections, freePort, killOnExit, stopProcess, waitUntil } from '../support/dcmtk';
import { makeStudy } from '../support/fixtures';
import { stowBody } from '../support/stow';
import { startTestServer, TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD, type TestServer } from '../support/test-server';

const NGINX = process.env.NGINX_PATH ?? '/usr/sbin/nginx';
const skip = existsSync(NGINX) ? false : `nginx not found at ${NGINX} (apt-get install -y nginx)`;
const SITE_CONF = path.resolve('deploy/nginx/telepacs.conf');

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** The deployable site file with this test's ports and paths; fails if the file no longer has a line this relies on. */
function renderSiteConf(options: { httpPort: number; tlsPort: number; upstreamPort: number; certificate: string; key: string }): string {
  let conf = readFileSync(SITE_CONF, 'utf8');
  const replace = (from: string, to: string) => {
    assert.ok(conf.includes(from), `deploy/nginx/telepacs.conf has "${from}"`);
    conf = conf.split(from).join(to);
  };
  replace('listen [::]:80;', '');
  replace('listen [::]:443 ssl http2;', '');
  replace('listen 80;', `listen 127.0.0.1:${options.httpPort};`);
  replace('listen 443 ssl http2;', `listen 127.0.0.1:${options.tlsPort} ssl http2;`);
  replace('server 127.0.0.1:3000;', `server 127.0.0.1:${options.upstreamPort};`);
  replace('/etc/ssl/telepacs/fullchain.pem', options.certificate);
  replace('/etc/ssl/telepacs/privkey.pem', options.key);
  replace('server_name pacs.hospital.example;', 'server_name localhost;');
  return conf;
}

describe('Telepacs behind nginx with TLS (deploy/nginx/telepacs.conf)', { skip, timeout: 10 * 60_000 }, () => {
  let dir: string;
  let server: TestServer;
  let nginx: ChildProcess;
  let unguard: () => void;
  let certificate: Buffer;
  let origin: string;
  let httpPort: number;
  let cookie = '';
  const sockets: Socket[] = [];

  const https = (target: string, options: { method?: string; headers?: Record<string, string>; body?: Buffer | Buffer[] } = {}): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const req = httpsRequest(`${origin}${target}`, { method: options.method ?? 'GET', headers: options.headers, ca: certificate }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      });
      req.on('error', reject);
      // Several writes and no content-length: a chunked upload, streamed through nginx.
      for (const chunk of Array.isArray(options.body) ? options.body : options.body ? [options.body] : []) req.write(chunk);
      req.end();
    });

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'telepacs-nginx-'));
    const key = path.join(dir, 'privkey.pem');
    const certificatePath = path.join(dir, 'fullchain.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', certificatePath, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'], { stdio: 'pipe' });
    certificate = readFileSync(certificatePath);
    const tlsPort = await freePort();
    httpPort = await freePort();
    origin = `https://localhost:${tlsPort}`;
    server = await startTestServer({ portal: true, env: { PUBLIC_URL: origin, TRUST_PROXY: 'true' } });
    for (const temp of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(path.join(dir, temp));
    writeFileSync(path.join(dir, 'telepacs.conf'), renderSiteConf({ httpPort, tlsPort, upstreamPort: Number(new URL(server.url).port), certificate: certificatePath, key }));
    writeFileSync(
      path.join(dir, 'nginx.conf'),
      [
        'daemon off;',
        'worker_processes 1;',
        ...(process.getuid?.() === 0 ? ['user root root;'] : []),
        `pid ${dir}/nginx.pid;`,
        `error_log ${dir}/error.log warn;`,
        'events { worker_connections 256; }',
        'http {',
        '  access_log off;',
        ...['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((temp) => `  ${temp === 'body' ? 'client_body' : temp}_temp_path ${dir}/${temp};`),
        `  include ${dir}/telepacs.conf;`,
        '}',
      ].join('\n'),
    );
    nginx = spawn(NGINX, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    nginx.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    unguard = killOnExit(nginx);
    await waitUntil(`nginx (${stderr})`, () => acceptsConnections(tlsPort), 30_000, () => nginx.exitCode === null);
  });
  after(async () => {
    for (const socket of sockets) socket.close();
    if (nginx) await stopProcess(nginx);
    unguard?.();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('redirects plain http to https', async () => {
    const answer = await new Promise<Answer>((resolve, reject) => {
      httpRequest(`http://localhost:${httpPort}/studies?x=1`, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' }));
      })
        .on('error', reject)
        .end();
    });
    assert.equal(answer.status, 301);
    assert.equal(answer.headers.location, 'https://localhost/studies?x=1');
    assert.equal(answer.headers['strict-transport-security'], undefined);
  });

  it('signs in over https: a Secure session cookie, HSTS, and the client address nginx saw in the audit trail', async () => {
    const answer = await https('/api/auth/sign-in', {
      method: 'POST',
      // A forged X-Forwarded-For from the client is replaced by nginx's $remote_addr.
      headers: { 'content-type': 'application/json', origin, 'x-forwarded-for': '203.0.113.66' },
      body: Buffer.from(JSON.stringify({ email: TEST_ADMIN_EMAIL, password: TEST_ADMIN_PASSWORD })),
    });
    assert.equal(answer.status, 200, answer.body);
    const setCookie = String(answer.headers['set-cookie']?.[0] ?? '');
    assert.match(setCookie, /;\s*Secure/i);
    assert.equal(answer.headers['strict-transport-security'], 'max-age=31536000');
    assert.equal(answer.headers['cache-control'], 'no-store');
    assert.equal(answer.headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'");
    cookie = setCookie.split(';')[0];
    const worklist = await https('/', { headers: { cookie } });
    assert.equal(worklist.status, 200);
    assert.match(String(worklist.headers['cache-control']), /no-store/);
    assert.match(String(worklist.headers['content-security-policy']), /script-src 'self' 'nonce-/);
    const audited = await server.node.db.auditEvent.findFirst({ where: { action: 'auth.sign_in', outcome: 'SUCCESS' }, orderBy: { at: 'desc' } });
    assert.equal(audited?.sourceIp, '127.0.0.1');
  });

  it('keeps a socket.io WebSocket open through nginx, announces a study streamed in by STOW-RS, and finds it with QIDO', async () => {
    assert.ok(cookie, 'signed in by the previous test');
    const socket = connect(`${origin}${REALTIME_NAMESPACE}`, { transports: ['websocket'], reconnection: false, extraHeaders: { cookie }, ca: certificate.toString() });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const announced = new Promise<{ studyInstanceUid: string; newInstances: number }>((resolve) => socket.on(REALTIME_EVENTS.INSTANCES_STORED, resolve));

    const study = makeStudy({ patientId: 'NGINX-1', patientName: 'Proxy^Petra', series: 1, instancesPerSeries: 3, rows: 128, columns: 128, seed: 'nginx-tls' });
    const { body, contentType } = stowBody(study);
    const pieces = Array.from({ length: Math.ceil(body.length / 65_536) }, (_, index) => body.subarray(index * 65_536, (index + 1) * 65_536));
    const stored = await https('/dicomweb/studies', { method: 'POST', headers: { 'content-type': contentType, cookie, origin }, body: pieces });
    assert.equal(stored.status, 200, stored.body);
    const payload = await announced;
    assert.equal(payload.studyInstanceUid, study.studyInstanceUid);
    assert.equal(payload.newInstances, 3);

    const found = await https('/dicomweb/studies?PatientID=NGINX-1', { headers: { cookie, accept: 'application/dicom+json' } });
    assert.equal(found.status, 200, found.body);
    assert.equal(found.headers['cache-control'], 'no-store');
    assert.equal(found.headers['strict-transport-security'], 'max-age=31536000');
    const [studyJson] = JSON.parse(found.body) as Record<string, { Value?: unknown[] }>[];
    assert.equal(studyJson['00081190'].Value?.[0], `${origin}/dicomweb/studies/${study.studyInstanceUid}`);
  });

  it('serves the node-to-node API through nginx: the node describes itself at its https PUBLIC_URL, and refuses an unsigned call with 401', async () => {
    const described = await https('/federation/v1/node', { headers: { accept: 'application/json' } });
    assert.equal(described.status, 200, described.body);
    const node = JSON.parse(described.body) as { url: string; fingerprint: string };
    assert.equal(node.url, origin);
    assert.match(node.fingerprint, /^([0-9A-F]{4} ){15}[0-9A-F]{4}$/);
    const unsigned = await https('/federation/v1/facilities', { headers: { accept: 'application/json' } });
    assert.equal(unsigned.status, 401, unsigned.body);
    assert.equal((JSON.parse(unsigned.body) as { reason: string }).reason, 'UNSIGNED');
  });
});
