// STOW-RS against a running Telepacs, with dicomweb-client (OHIF's DICOMweb
// client) and hand-made requests for the malformed cases.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createDicomwebClient } from '../support/dicomweb-client';
import { fixture, fixtureSkipReason, makeInstance, makeStudy, type FixtureName } from '../support/fixtures';
import { filesUnder, stowBody } from '../support/stow';
import { startTestServer, type TestServer } from '../support/test-server';

type DicomJson = Record<string, { vr: string; Value?: unknown[] }>;

/** The instance files in the node's store (not its health probes or caches). */
function storedDicomFiles(dataDir: string): number {
  return filesUnder(path.join(dataDir, 'store')).filter((file) => file.endsWith('.dcm')).length;
}

describe('STOW-RS', () => {
  let server: TestServer;
  const stow = (body: Buffer, contentType: string, target = '/studies', authorization?: string) =>
    fetch(`${server.dicomwebUrl}${target}`, {
      method: 'POST',
      headers: { 'content-type': contentType, accept: 'application/dicom+json', authorization: authorization ?? server.adminAuthorization },
      body: new Uint8Array(body),
    });

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.stop();
  });

  it('stores a multi-series study sent with dicomweb-client, then finds it with QIDO-RS', async () => {
    const study = makeStudy({ patientId: 'STOW-1', patientName: 'Doe^Jane', series: 3, instancesPerSeries: 4, seed: 'stow-multi' });
    const client = createDicomwebClient(server.dicomwebUrl, server.adminAuthorization);
    await client.storeInstances({ datasets: study.map((file) => new Uint8Array(file).buffer) });
    const found = (await client.searchForStudies({ queryParams: { PatientID: 'STOW-1' } })) as DicomJson[];
    assert.equal(found.length, 1);
    assert.deepEqual(found[0]['0020000D'].Value, [study.studyInstanceUid]);
    assert.deepEqual(found[0]['00201206'].Value, [3]);
    assert.deepEqual(found[0]['00201208'].Value, [12]);
  });

  it('answers 200 with a ReferencedSOPSequence and RetrieveURLs', async () => {
    const file = makeInstance({ patientId: 'STOW-2', seed: 'stow-200' });
    const response = await stow(...Object.values(stowBody([file])) as [Buffer, string]);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /application\/dicom\+json/);
    const body = (await response.json()) as DicomJson;
    const items = body['00081199'].Value as DicomJson[];
    assert.equal(items.length, 1);
    assert.match(String(items[0]['00081190'].Value?.[0]), new RegExp(`^${server.dicomwebUrl.replace('127.0.0.1', '.*')}/studies/`));
    assert.equal(body['00081198'], undefined);
  });

  it('stores the good parts and reports each malformed part with a reason, leaving nothing half-stored (202)', async () => {
    const filesBefore = storedDicomFiles(server.dataDir);
    const good = makeInstance({ patientId: 'STOW-3', seed: 'stow-mixed' });
    const bad: FixtureName[] = ['truncated', 'not-dicom', 'missing-uids', 'no-preamble'];
    const { body, contentType } = stowBody([good, ...bad.map((name) => fixture(name))]);
    const response = await stow(body, contentType);
    assert.equal(response.status, 202);
    const json = (await response.json()) as DicomJson;
    assert.equal((json['00081199'].Value as DicomJson[]).length, 1);
    const failed = json['00081198'].Value as DicomJson[];
    assert.equal(failed.length, bad.length);
    for (const item of failed) {
      assert.deepEqual(item['00081197'].Value, [0xc000], JSON.stringify(item));
      assert.ok(String(item['00000902'].Value?.[0]).length > 10, 'a reason in words');
    }
    assert.match(String(failed[0]['00000902'].Value?.[0]), /truncated/);
    assert.equal(storedDicomFiles(server.dataDir), filesBefore + 1);
  });

  it('answers 409 when nothing could be stored', async () => {
    const { body, contentType } = stowBody([fixture('not-dicom'), fixture('truncated')]);
    const response = await stow(body, contentType);
    assert.equal(response.status, 409);
    const json = (await response.json()) as DicomJson;
    assert.equal((json['00081198'].Value as DicomJson[]).length, 2);
  });

  it('refuses instances of another study on POST /studies/{study}', async () => {
    const file = makeInstance({ patientId: 'STOW-4', seed: 'stow-mismatch' });
    const { body, contentType } = stowBody([file]);
    const response = await stow(body, contentType, '/studies/1.2.3.999');
    assert.equal(response.status, 409);
    const json = (await response.json()) as DicomJson;
    const item = (json['00081198'].Value as DicomJson[])[0];
    assert.deepEqual(item['00081197'].Value, [0xc409]);
    assert.ok(item['00081155'], 'names the refused instance');
  });

  it('treats a re-send of the same instance as success and keeps one copy', async () => {
    const file = makeInstance({ patientId: 'STOW-5', seed: 'stow-resend' });
    const { body, contentType } = stowBody([file]);
    assert.equal((await stow(body, contentType)).status, 200);
    const filesAfterFirst = storedDicomFiles(server.dataDir);
    assert.equal((await stow(body, contentType)).status, 200);
    assert.equal(storedDicomFiles(server.dataDir), filesAfterFirst);
  });

  it('answers 415 for a body that is not multipart/related application/dicom', async () => {
    assert.equal((await stow(makeInstance({ seed: 'x1' }), 'application/dicom')).status, 415);
    const { body } = stowBody([makeInstance({ seed: 'x2' })]);
    assert.equal((await stow(body, 'multipart/related; type="application/dicom+json"; boundary=telepacs-test-boundary')).status, 415);
  });

  it('answers 400 for a multipart body without its boundary or its end', async () => {
    const response = await stow(Buffer.from('no parts here'), 'multipart/related; type="application/dicom"; boundary=abc');
    assert.equal(response.status, 400);
    assert.match(((await response.json()) as { error: string }).error, /boundary/);
    const good = makeInstance({ patientId: 'STOW-6', seed: 'stow-cut' });
    const { body, contentType } = stowBody([good]);
    const cut = body.subarray(0, body.length - '--telepacs-test-boundary--\r\n'.length - 2);
    const partial = await stow(cut, contentType);
    assert.equal(partial.status, 400);
  });

  it('requires authentication and refuses a wrong password', async () => {
    const { body, contentType } = stowBody([makeInstance({ seed: 'x3' })]);
    const anonymous = await fetch(`${server.dicomwebUrl}/studies`, { method: 'POST', headers: { 'content-type': contentType }, body: new Uint8Array(body) });
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Basic/);
    // A page script of a browser (Sec-Fetch-Site and -Mode: cors) gets no challenge, so no native password box
    const fromPage = await fetch(`${server.dicomwebUrl}/studies?PatientID=x`, { headers: { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' } });
    assert.equal(fromPage.status, 401);
    assert.equal(fromPage.headers.get('www-authenticate'), null);
    const wrong = await stow(body, contentType, '/studies', `Basic ${Buffer.from('admin@telepacs.test:wrong').toString('base64')}`);
    assert.equal(wrong.status, 401);
  });

  for (const name of ['explicit-le', 'implicit-le', 'big-endian', 'deflate', 'rle', 'jpeg-baseline', 'jpeg-lossless', 'jpeg-ls', 'multiframe', 'latin1', 'utf8', 'japanese'] as FixtureName[]) {
    it(`stores the ${name} fixture as received`, { skip: fixtureSkipReason(name) }, async () => {
      const file = fixture(name);
      const { body, contentType } = stowBody([file]);
      const response = await stow(body, contentType);
      assert.equal(response.status, 200, await response.clone().text());
      const json = (await response.json()) as DicomJson;
      const retrieveUrl = String((json['00081199'].Value as DicomJson[])[0]['00081190'].Value?.[0]);
      const back = await fetch(retrieveUrl, {
        headers: { accept: 'multipart/related; type="application/dicom"; transfer-syntax=*', authorization: server.adminAuthorization },
      });
      assert.equal(back.status, 200);
      const bytes = Buffer.from(await back.arrayBuffer());
      assert.ok(bytes.includes(file), 'the retrieved multipart holds the file byte for byte');
    });
  }

  it('decodes patient names of every character set to UTF-8 in search results', { skip: fixtureSkipReason('japanese') }, async () => {
    const client = createDicomwebClient(server.dicomwebUrl, server.adminAuthorization);
    const byName = async (name: string) =>
      (await client.searchForStudies({ queryParams: { PatientName: name, fuzzymatching: 'true' } })) as DicomJson[];
    const latin = await byName('muller*');
    assert.ok(latin.some((s) => JSON.stringify(s['00100010'].Value).includes('Müller')), JSON.stringify(latin.map((s) => s['00100010'])));
    const japanese = await byName('Yamada*');
    assert.ok(japanese.some((s) => JSON.stringify(s['00100010'].Value).includes('山田')), JSON.stringify(japanese.map((s) => s['00100010'])));
  });
});
