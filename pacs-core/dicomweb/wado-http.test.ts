// WADO-RS against a running Telepacs with dicomweb-client (OHIF's DICOMweb
// client) as the real client, plus plain fetch for what it cannot show
// (Content-Encoding, WADO-URI at the site root).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import dcmjs from 'dcmjs';
import sharp from 'sharp';
import { createDicomwebClient } from '../../test/support/dicomweb-client';
import { fixture, fixtureSkipReason, FIXTURES, makeStudy } from '../../test/support/fixtures';
import { startTestServer, type TestServer } from '../../test/support/test-server';

type DicomJson = Record<string, { vr: string; Value?: unknown[]; BulkDataURI?: string }>;

interface InstanceUids {
  studyInstanceUID: string;
  seriesInstanceUID: string;
  sopInstanceUID: string;
}

/** The calls used here; dicomweb-client 0.11's declarations mark its optional options (request, mediaTypes) as required. */
interface WadoClient {
  retrieveInstance(options: InstanceUids): Promise<ArrayBuffer>;
  retrieveSeriesMetadata(options: Omit<InstanceUids, 'sopInstanceUID'>): Promise<DicomJson[]>;
  retrieveInstanceFrames(
    options: InstanceUids & { frameNumbers: number[]; mediaTypes?: Array<{ mediaType: string; transferSyntaxUID?: string }> },
  ): Promise<ArrayBuffer[]>;
}

function wadoClient(server: TestServer): WadoClient {
  return createDicomwebClient(server.dicomwebUrl, server.adminAuthorization) as unknown as WadoClient;
}

function pixelData(file: ArrayBuffer | Buffer): Buffer {
  const ab = Buffer.isBuffer(file) ? new Uint8Array(file).buffer : file;
  const value = dcmjs.data.DicomMessage.readFile(ab).dict['7FE00010'].Value as ArrayBuffer[];
  return Buffer.concat(value.map((v) => Buffer.from(v)));
}

describe('WADO-RS over HTTP with dicomweb-client', () => {
  let server: TestServer;
  const study = makeStudy({ patientId: 'WADO-HTTP', series: 1, instancesPerSeries: 3, seed: 'wado-http' });
  const [seriesUid] = study.seriesInstanceUids;
  const rleSkip = fixtureSkipReason('multiframe-rle');

  before(async () => {
    server = await startTestServer();
    const facilityId = server.node.firstRun.facilityId;
    for (const file of study) await server.node.archive.ingest(file, { kind: 'import', source: 'test' }, facilityId);
    if (!rleSkip) await server.node.archive.ingest(fixture('multiframe-rle'), { kind: 'import', source: 'test' }, facilityId);
  });
  after(async () => {
    await server?.stop();
  });

  it('retrieveInstance returns the stored file byte for byte', async () => {
    const client = wadoClient(server);
    const instance = await client.retrieveInstance({
      studyInstanceUID: study.studyInstanceUid,
      seriesInstanceUID: seriesUid,
      sopInstanceUID: study.sopInstanceUids[0][1],
    });
    assert.ok(Buffer.from(instance).equals(study[1]));
  });

  it('retrieveSeriesMetadata returns every instance with absolute BulkDataURIs', async () => {
    const client = wadoClient(server);
    const metadata = await client.retrieveSeriesMetadata({ studyInstanceUID: study.studyInstanceUid, seriesInstanceUID: seriesUid });
    assert.deepEqual(metadata.map((m) => m['00080018'].Value?.[0]), study.sopInstanceUids[0]);
    const uri = metadata[0]['7FE00010'].BulkDataURI ?? '';
    assert.match(uri, /^http:\/\/[^/]+\/dicomweb\/studies\/.+\/bulkdata\/7FE00010$/);
    // The same bytes come gzip'd for a client that accepts it.
    const gz = await fetch(`${server.dicomwebUrl}/studies/${study.studyInstanceUid}/series/${seriesUid}/metadata`, {
      headers: { authorization: server.adminAuthorization, 'accept-encoding': 'gzip' },
    });
    assert.equal(gz.headers.get('content-encoding'), 'gzip');
    assert.equal(((await gz.json()) as unknown[]).length, 3);
  });

  it('retrieveInstanceFrames returns native and compressed frames', async () => {
    const client = wadoClient(server);
    const [frame] = await client.retrieveInstanceFrames({
      studyInstanceUID: study.studyInstanceUid,
      seriesInstanceUID: seriesUid,
      sopInstanceUID: study.sopInstanceUids[0][2],
      frameNumbers: [1],
    });
    assert.ok(Buffer.from(frame).equals(pixelData(study[2])));

    if (!rleSkip) {
      const spec = FIXTURES['multiframe-rle'];
      const frames = await client.retrieveInstanceFrames({
        studyInstanceUID: spec.studyInstanceUid!,
        seriesInstanceUID: spec.seriesInstanceUid!,
        sopInstanceUID: spec.sopInstanceUid!,
        frameNumbers: [2, 4],
        mediaTypes: [{ mediaType: 'application/octet-stream', transferSyntaxUID: '*' }],
      });
      assert.equal(frames.length, 2);
      assert.ok(frames.every((f) => f.byteLength > 64), 'RLE frames as stored');
    }
  });

  it('serves a rendered JPEG and WADO-URI at the site root', async () => {
    const headers = { authorization: server.adminAuthorization };
    const base = `${server.dicomwebUrl}/studies/${study.studyInstanceUid}/series/${seriesUid}/instances/${study.sopInstanceUids[0][0]}`;
    const rendered = await fetch(`${base}/rendered?viewport=40,40`, { headers: { ...headers, accept: 'image/jpeg' } });
    assert.equal(rendered.status, 200);
    assert.equal((await sharp(Buffer.from(await rendered.arrayBuffer())).metadata()).width, 40);

    const wado = await fetch(
      `${server.url}/wado?requestType=WADO&studyUID=${study.studyInstanceUid}&seriesUID=${seriesUid}&objectUID=${study.sopInstanceUids[0][0]}&contentType=application/dicom`,
      { headers },
    );
    assert.equal(wado.status, 200);
    assert.ok(Buffer.from(await wado.arrayBuffer()).equals(study[0]));
    const bad = await fetch(`${server.url}/wado?requestType=WADO&studyUID=${study.studyInstanceUid}`, { headers });
    assert.equal(bad.status, 400);
  });
});
