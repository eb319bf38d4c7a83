// The HTTP side's security headers and Host check against a running node
// (archive without the portal; the portal's CSP is checked in a real browser
// by test/e2e/security-headers.test.ts): HSTS only over TLS, no-store on
// patient data, and no forged Host in any URL the archive hands out.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request, type IncomingHttpHeaders } from 'node:http';
import path from 'node:path';
import { makeStudy } from '../support/fixtures';
import { filesUnder, stowBody } from '../support/stow';
import { startTestServer, type TestServer } from '../support/test-server';

type DicomJson = Record<string, { vr: string; Value?: unknown[]; BulkDataURI?: string }>;

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** node:http, because fetch() does not let a caller choose the Host header. */
function rawRequest(url: string, headers: Record<string, string>, method = 'GET', body?: Buffer): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function metadataCacheFiles(dataDir: string): string[] {
  return filesUnder(path.join(dataDir, 'cache')).filter((file) => file.includes('series-metadata'));
}

describe('HTTP security without PUBLIC_URL (the embedded default)', () => {
  let server: TestServer;
  let port: string;
  const study = makeStudy({ patientId: 'SEC-HDR-1', patientName: 'Header^Hanna', modality: 'CT', series: 1, instancesPerSeries: 2, rows: 64, columns: 64, seed: 'http-security' });
  const series = () => study.seriesInstanceUids[0];
  const sop = () => study.sopInstanceUids[0][0];

  before(async () => {
    server = await startTestServer();
    port = new URL(server.url).port;
    const { body, contentType } = stowBody(study);
    const stored = await rawRequest(`${server.dicomwebUrl}/studies`, { 'content-type': contentType, authorization: server.adminAuthorization }, 'POST', body);
    assert.equal(stored.status, 200, stored.body.toString());
  });
  after(async () => {
    await server?.stop();
  });

  it('sends no HSTS over plain http, even when a client claims X-Forwarded-Proto: https', async () => {
    const response = await rawRequest(`${server.dicomwebUrl}/studies`, { authorization: server.adminAuthorization, 'x-forwarded-proto': 'https' });
    assert.equal(response.status, 200);
    assert.equal(response.headers['strict-transport-security'], undefined);
  });

  it('marks every DICOMweb and WADO-URI answer no-store, frames included, and never renderable as a page', async () => {
    const study_ = study.studyInstanceUid;
    const auth = { authorization: server.adminAuthorization };
    const targets = [
      `${server.dicomwebUrl}/studies?PatientID=SEC-HDR-1`,
      `${server.dicomwebUrl}/studies/${study_}/series/${series()}/metadata`,
      `${server.dicomwebUrl}/studies/${study_}/series/${series()}/instances/${sop()}/frames/1`,
      `${server.dicomwebUrl}/studies/${study_}/series/${series()}/instances/${sop()}/rendered`,
      `${server.dicomwebUrl}/studies/${study_}/series/${series()}/instances/${sop()}`,
      `${server.url}/wado?requestType=WADO&studyUID=${study_}&seriesUID=${series()}&objectUID=${sop()}&contentType=application%2Fdicom`,
      `${server.dicomwebUrl}/studies/1.2.3.4.5.6.7.8.9`, // refused: says something about a UID too
    ];
    for (const target of targets) {
      const response = await rawRequest(target, { ...auth, accept: target.includes('/frames/') ? 'multipart/related; type="application/octet-stream"' : '*/*' });
      assert.ok(response.status === 200 || response.status === 404, `${target}: ${response.status}`);
      assert.equal(response.headers['cache-control'], 'no-store', target);
      assert.equal(response.headers.pragma, 'no-cache', target);
      assert.equal(response.headers['x-content-type-options'], 'nosniff', target);
      assert.equal(response.headers['x-frame-options'], 'DENY', target);
      assert.equal(response.headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'", target);
      assert.match(String(response.headers['permissions-policy']), /camera=\(self\), microphone=\(self\)/, target);
    }
  });

  it('answers 421 to a forged Host, so RetrieveURLs and BulkDataURIs cannot point elsewhere and no cache entry is made', async () => {
    const cachedBefore = metadataCacheFiles(server.dataDir);
    for (const host of ['evil.example', `evil.example:${port}`, 'localhost:1', '127.0.0.1.evil.example', 'localhost@evil.example']) {
      for (const target of [`/dicomweb/studies?PatientID=SEC-HDR-1`, `/dicomweb/studies/${study.studyInstanceUid}/series/${series()}/metadata`, '/wado?requestType=WADO']) {
        const response = await rawRequest(`${server.url}${target}`, { host, authorization: server.adminAuthorization });
        assert.equal(response.status, 421, `${host} ${target}`);
        assert.doesNotMatch(response.body.toString(), /evil|SEC-HDR-1/);
      }
    }
    assert.deepEqual(metadataCacheFiles(server.dataDir), cachedBefore);
  });

  it("builds RetrieveURLs and BulkDataURIs from this machine's own names", async () => {
    const found = await rawRequest(`${server.dicomwebUrl}/studies?PatientID=SEC-HDR-1`, { host: `localhost:${port}`, authorization: server.adminAuthorization });
    assert.equal(found.status, 200);
    const [studyJson] = JSON.parse(found.body.toString()) as DicomJson[];
    assert.equal(studyJson['00081190'].Value?.[0], `http://localhost:${port}/dicomweb/studies/${study.studyInstanceUid}`);
    const metadata = await rawRequest(`${server.dicomwebUrl}/studies/${study.studyInstanceUid}/series/${series()}/metadata`, {
      host: `127.0.0.1:${port}`,
      authorization: server.adminAuthorization,
    });
    assert.equal(metadata.status, 200);
    const [instance] = JSON.parse(metadata.body.toString()) as DicomJson[];
    assert.match(String(instance['7FE00010'].BulkDataURI), new RegExp(`^http://127\\.0\\.0\\.1:${port}/dicomweb/studies/`));
  });
});

describe('HTTP security with PUBLIC_URL behind a trusted proxy', () => {
  let server: TestServer;
  const study = makeStudy({ patientId: 'SEC-HDR-2', patientName: 'Proxy^Paul', modality: 'CT', series: 1, instancesPerSeries: 1, rows: 64, columns: 64, seed: 'http-security-proxy' });

  before(async () => {
    server = await startTestServer({ env: { PUBLIC_URL: 'https://pacs.hospital.example', TRUST_PROXY: 'true' } });
    const { body, contentType } = stowBody(study);
    const stored = await rawRequest(`${server.dicomwebUrl}/studies`, { 'content-type': contentType, authorization: server.adminAuthorization }, 'POST', body);
    assert.equal(stored.status, 200, stored.body.toString());
  });
  after(async () => {
    await server?.stop();
  });

  it('sends HSTS when the proxy says the browser came over https, and not when it came over http', async () => {
    const headers = { host: 'pacs.hospital.example', authorization: server.adminAuthorization, 'x-forwarded-for': '10.1.2.3' };
    const overTls = await rawRequest(`${server.dicomwebUrl}/studies`, { ...headers, 'x-forwarded-proto': 'https' });
    assert.equal(overTls.status, 200);
    assert.equal(overTls.headers['strict-transport-security'], 'max-age=31536000');
    const overHttp = await rawRequest(`${server.dicomwebUrl}/studies`, { ...headers, 'x-forwarded-proto': 'http' });
    assert.equal(overHttp.headers['strict-transport-security'], undefined);
  });

  it('answers the public name and its own names with PUBLIC_URL-based URLs only, and 421 to any other Host', async () => {
    for (const host of ['pacs.hospital.example', 'PACS.hospital.example:443', new URL(server.url).host]) {
      const response = await rawRequest(`${server.dicomwebUrl}/studies?PatientID=SEC-HDR-2`, { host, authorization: server.adminAuthorization, 'x-forwarded-proto': 'https' });
      assert.equal(response.status, 200, host);
      const [studyJson] = JSON.parse(response.body.toString()) as DicomJson[];
      assert.equal(studyJson['00081190'].Value?.[0], `https://pacs.hospital.example/dicomweb/studies/${study.studyInstanceUid}`, host);
    }
    const cachedBefore = metadataCacheFiles(server.dataDir);
    const forged = await rawRequest(`${server.dicomwebUrl}/studies/${study.studyInstanceUid}/series/${study.seriesInstanceUids[0]}/metadata`, {
      host: 'pacs.hospital.example.evil.example',
      authorization: server.adminAuthorization,
    });
    assert.equal(forged.status, 421);
    assert.deepEqual(metadataCacheFiles(server.dataDir), cachedBefore);
  });
});
