// WADO-RS and WADO-URI against a real archive (real database, filesystem
// store), with files made by dcmjs and DCMTK and ingested through the one
// ingest path. Handlers are called through the route table.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import dcmjs from 'dcmjs';
import sharp from 'sharp';
import type { AccessEvent, AccessScope, Principal } from '../access';
import { toHttpStatus } from '../errors';
import { createArchiveHarness, type ArchiveHarness } from '../../test/support/archive-harness';
import { fixture, fixtureSkipReason, fixtureSource, FIXTURES, makeInstance, makeStudy, type FixtureName } from '../../test/support/fixtures';
import { seriesMetadataFile, startSeriesMetadataWarmer } from './series-metadata-cache';
import { wadoRoutes } from './wado-routes';
import { wadoUriRoutes } from './wado-uri';
import type { DicomwebRequest, DicomwebResponse, ResponseBody, Route } from './types';

const BASE = 'http://pacs.test/dicomweb';
const ELE = '1.2.840.10008.1.2.1';

let h: ArchiveHarness;
let audits: AccessEvent[] = [];

function principal(scope: AccessScope): Principal {
  return {
    label: 'test',
    readScope: scope,
    storeFacilityId: null,
    sourceIp: '127.0.0.1',
    async audit(event) {
      audits.push(event);
    },
  };
}

interface CallOptions {
  accept?: string;
  headers?: Record<string, string>;
  scope?: AccessScope;
}

function matchRoute(routes: Route[], path: string): { route: Route; params: Record<string, string> } {
  for (const route of routes) {
    const names: string[] = [];
    const pattern = new RegExp(`^${route.pattern.replace(/:(\w+)/g, (_, name: string) => (names.push(name), '([^/]+)'))}$`);
    const match = pattern.exec(path);
    if (match) return { route, params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(match[i + 1])])) };
  }
  throw new Error(`no route for ${path}`);
}

/** Calls the route like the server would; an ArchiveError becomes its HTTP status. */
async function get(url: string, options: CallOptions = {}): Promise<{ status: number; headers: Record<string, string>; body: Buffer; message?: string }> {
  const [path, search = ''] = url.split('?');
  const routes = path === '/wado' ? wadoUriRoutes : wadoRoutes;
  const { route, params } = matchRoute(routes, path);
  const request: DicomwebRequest = {
    method: 'GET',
    path,
    query: new URLSearchParams(search),
    headers: { ...(options.accept ? { accept: options.accept } : {}), ...options.headers },
    body: Readable.from([]),
    principal: principal(options.scope ?? { kind: 'facilities', facilityIds: [h.facilityId] }),
    baseUrl: BASE,
    archive: h.archive,
  };
  let response: DicomwebResponse;
  try {
    response = await route.handler(request, params);
  } catch (error) {
    return { status: toHttpStatus(error), headers: {}, body: Buffer.alloc(0), message: (error as Error).message };
  }
  return { status: response.status, headers: response.headers ?? {}, body: await collect(response.body) };
}

async function collect(body: ResponseBody): Promise<Buffer> {
  if (body === undefined) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body);
  if (Buffer.isBuffer(body)) return body;
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

interface Part {
  headers: Record<string, string>;
  body: Buffer;
}

function parseMultipart(contentType: string, body: Buffer): Part[] {
  const boundary = /boundary=([^;]+)/.exec(contentType)?.[1];
  assert.ok(boundary, `no boundary in ${contentType}`);
  assert.match(contentType, /^multipart\/related; type="[^"]+"/);
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Part[] = [];
  let position = body.indexOf(delimiter);
  while (position >= 0) {
    const start = position + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    const raw = body.subarray(start + 2, next - 2); // skip CRLF after the delimiter and before the next one
    const split = raw.indexOf('\r\n\r\n');
    const headers = Object.fromEntries(
      raw
        .subarray(0, split)
        .toString('latin1')
        .split('\r\n')
        .map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
    );
    parts.push({ headers, body: Buffer.from(raw.subarray(split + 4)) });
    position = next;
  }
  return parts;
}

/** The native pixel data of a Part 10 file (for comparing frames). */
function pixelData(file: Buffer): Buffer {
  const ab = new Uint8Array(file).buffer;
  const value = dcmjs.data.DicomMessage.readFile(ab).dict['7FE00010'].Value as ArrayBuffer[];
  return Buffer.concat(value.map((v) => Buffer.from(v)));
}

function transferSyntaxOf(file: Buffer): string {
  const meta = dcmjs.data.DicomMessage.readFile(new Uint8Array(file).buffer).meta;
  return String((meta['00020010'].Value as string[])[0]);
}

const study = makeStudy({ patientId: 'WADO-1', accessionNumber: 'WADO-ACC', series: 2, instancesPerSeries: 3 });
const [s1, s2] = study.seriesInstanceUids;
const studyUrl = `/studies/${study.studyInstanceUid}`;
const series1Url = `${studyUrl}/series/${s1}`;
const instanceUrl = (series: number, instance: number) =>
  `${studyUrl}/series/${study.seriesInstanceUids[series]}/instances/${study.sopInstanceUids[series][instance]}`;

function fixtureUrl(name: FixtureName): string {
  const spec = FIXTURES[name];
  return `/studies/${spec.studyInstanceUid}/series/${spec.seriesInstanceUid}/instances/${spec.sopInstanceUid}`;
}

const DCMTK_FIXTURES: FixtureName[] = ['implicit-le', 'multiframe-rle', 'jpeg-baseline', 'jpeg-lossless'];
const dcmtkSkip = fixtureSkipReason('multiframe-rle');

describe('WADO-RS', () => {
  let warmer: ReturnType<typeof startSeriesMetadataWarmer>;

  before(async () => {
    h = await createArchiveHarness();
    warmer = startSeriesMetadataWarmer(h.archive, [BASE], { debounceMs: 20 });
    for (const file of study) await h.archive.ingest(file, { kind: 'import', source: 'test' }, h.facilityId);
    await h.archive.ingest(fixture('multiframe'), { kind: 'import', source: 'test' }, h.facilityId);
    if (!dcmtkSkip) {
      for (const name of DCMTK_FIXTURES) await h.archive.ingest(fixture(name), { kind: 'import', source: 'test' }, h.facilityId);
    }
  });
  after(async () => {
    warmer.stop();
    await h.cleanup();
  });

  describe('retrieve', () => {
    it('returns a study as multipart/related application/dicom, files byte-identical and in stack order', async () => {
      const response = await get(studyUrl, { accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' });
      assert.equal(response.status, 200);
      const parts = parseMultipart(response.headers['Content-Type'], response.body);
      assert.equal(parts.length, 6);
      parts.forEach((part, i) => {
        assert.ok(part.body.equals(study[i]), `part ${i} differs from the stored file`);
        assert.equal(part.headers['content-type'], `application/dicom; transfer-syntax=${ELE}`);
      });
      assert.match(parts[0].headers['content-location'], /^http:\/\/pacs\.test\/dicomweb\/studies\//);
    });

    it('sends an Explicit VR LE file as is when no transfer syntax is asked (the default)', async () => {
      const response = await get(instanceUrl(1, 2), { accept: 'multipart/related; type="application/dicom"' });
      const [part] = parseMultipart(response.headers['Content-Type'], response.body);
      assert.ok(part.body.equals(study[5]));
    });

    it('re-encodes Implicit VR LE to the default Explicit VR LE, and keeps it with transfer-syntax=*', { skip: dcmtkSkip }, async () => {
      const converted = await get(fixtureUrl('implicit-le'), { accept: 'multipart/related; type="application/dicom"' });
      const [part] = parseMultipart(converted.headers['Content-Type'], converted.body);
      assert.equal(part.headers['content-type'], `application/dicom; transfer-syntax=${ELE}`);
      assert.equal(transferSyntaxOf(part.body), ELE);
      assert.ok(pixelData(part.body).equals(pixelData(fixtureSource('implicit-le'))));

      const asStored = await get(fixtureUrl('implicit-le'), { accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' });
      assert.ok(parseMultipart(asStored.headers['Content-Type'], asStored.body)[0].body.equals(fixture('implicit-le')));
    });

    it('decodes a compressed file to Explicit VR LE when asked', { skip: dcmtkSkip }, async () => {
      const response = await get(fixtureUrl('multiframe-rle'), { accept: `multipart/related; type="application/dicom"; transfer-syntax=${ELE}` });
      assert.equal(response.status, 200);
      const [part] = parseMultipart(response.headers['Content-Type'], response.body);
      assert.ok(pixelData(part.body).equals(pixelData(fixtureSource('multiframe-rle'))));
    });

    it('answers 406 naming the stored syntax when the Accept cannot be met', { skip: dcmtkSkip }, async () => {
      const jpeg = await get(fixtureUrl('jpeg-lossless'), { accept: `multipart/related; type="application/dicom"; transfer-syntax=${ELE}` });
      assert.equal(jpeg.status, 406);
      assert.match(jpeg.message ?? '', /1\.2\.840\.10008\.1\.2\.4\.57/);
      const html = await get(studyUrl, { accept: 'text/html' });
      assert.equal(html.status, 406);
    });

    it('answers 404 for a study outside the caller scope, exactly as for a missing one', async () => {
      const outside = await get(studyUrl, { scope: { kind: 'facilities', facilityIds: [h.otherFacilityId] } });
      const missing = await get('/studies/1.2.3.4.5');
      assert.equal(outside.status, 404);
      assert.equal(missing.status, 404);
      for (const path of [`${series1Url}/metadata`, `${instanceUrl(0, 0)}/frames/1`, `${instanceUrl(0, 0)}/rendered`]) {
        assert.equal((await get(path, { scope: { kind: 'facilities', facilityIds: [h.otherFacilityId] } })).status, 404, path);
      }
    });

    it('audits each successful retrieve once', async () => {
      audits = [];
      await get(instanceUrl(0, 0));
      assert.equal(audits.length, 1);
      assert.deepEqual(
        { action: audits[0].action, outcome: audits[0].outcome, studyUid: audits[0].studyUid, patientId: audits[0].patientId },
        { action: 'dicomweb.wado', outcome: 'SUCCESS', studyUid: study.studyInstanceUid, patientId: 'WADO-1' },
      );
    });
  });

  describe('metadata', () => {
    it('serves series metadata equal to the stored headers, then from the cache file', async () => {
      const rows = await h.db.instance.findMany({
        where: { series: { seriesInstanceUid: s1 } },
        orderBy: { instanceNumber: 'asc' },
        select: { metadata: true },
      });
      const expected = rows.map((row) => JSON.parse(row.metadata.split('{+base}').join(BASE)) as unknown);
      const first = await get(`${series1Url}/metadata`, { accept: 'application/dicom+json' });
      assert.equal(first.status, 200);
      assert.deepEqual(JSON.parse(first.body.toString()), expected);
      const pixel = (expected[0] as Record<string, { BulkDataURI?: string }>)['7FE00010'];
      assert.match(pixel.BulkDataURI ?? '', /^http:\/\/pacs\.test\/dicomweb\/studies\/.+\/bulkdata\/7FE00010$/);

      const series = await h.db.series.findFirstOrThrow({ where: { seriesInstanceUid: s1 } });
      const file = seriesMetadataFile(h.archive, series, BASE);
      assert.ok(existsSync(file), 'the cache file exists');
      const second = await get(`${series1Url}/metadata`, { headers: { 'accept-encoding': 'gzip' } });
      assert.equal(second.headers['Content-Encoding'], 'gzip');
      assert.ok(second.body.equals(readFileSync(file)), 'the gzip bytes are the cache file');
      assert.ok(gunzipSync(second.body).equals(first.body));
    });

    it('warms the cache after ingest and rebuilds it when the series changes', async () => {
      const extra = makeInstance({ patientId: 'WADO-1', accessionNumber: 'WADO-ACC', seriesNumber: 1, instanceNumber: 4 });
      await h.archive.ingest(extra, { kind: 'import', source: 'test' }, h.facilityId);
      await warmer.flush();
      const series = await h.db.series.findFirstOrThrow({ where: { seriesInstanceUid: s1 } });
      assert.ok(existsSync(seriesMetadataFile(h.archive, series, BASE)), 'warmed for the new version');
      assert.ok(!existsSync(seriesMetadataFile(h.archive, { ...series, metadataVersion: series.metadataVersion - 1 }, BASE)), 'old version removed');
      const response = await get(`${series1Url}/metadata`);
      assert.equal((JSON.parse(response.body.toString()) as unknown[]).length, 4);
    });

    it('serves study metadata as the concatenation of its series, and instance metadata', async () => {
      const studyMetadata = JSON.parse((await get(`${studyUrl}/metadata`)).body.toString()) as Array<Record<string, { Value?: unknown[] }>>;
      assert.equal(studyMetadata.length, 7);
      assert.deepEqual(new Set(studyMetadata.map((m) => m['0020000E'].Value?.[0])), new Set([s1, s2]));
      const instance = JSON.parse((await get(`${instanceUrl(1, 0)}/metadata`)).body.toString()) as Array<Record<string, { Value?: unknown[] }>>;
      assert.equal(instance[0]['00080018'].Value?.[0], study.sopInstanceUids[1][0]);
    });

    it('answers 406 to an Accept that excludes JSON', async () => {
      assert.equal((await get(`${series1Url}/metadata`, { accept: 'multipart/related; type="application/dicom+xml"' })).status, 406);
    });
  });

  describe('frames', () => {
    it('returns a native single frame as application/octet-stream', async () => {
      const response = await get(`${instanceUrl(0, 1)}/frames/1`, { accept: 'multipart/related; type="application/octet-stream"' });
      assert.equal(response.status, 200);
      const [part] = parseMultipart(response.headers['Content-Type'], response.body);
      assert.equal(part.headers['content-type'], `application/octet-stream; transfer-syntax=${ELE}`);
      assert.ok(part.body.equals(pixelData(study[1])));
    });

    it('returns the requested frames of a native multi-frame instance, in the asked order', async () => {
      const all = pixelData(fixture('multiframe'));
      const frameSize = all.length / 4;
      const response = await get(`${fixtureUrl('multiframe')}/frames/4,2`);
      const parts = parseMultipart(response.headers['Content-Type'], response.body);
      assert.equal(parts.length, 2);
      assert.ok(parts[0].body.equals(all.subarray(3 * frameSize)));
      assert.ok(parts[1].body.equals(all.subarray(frameSize, 2 * frameSize)));
    });

    it('returns encapsulated frames as stored, or decoded when only octet-stream is accepted', { skip: dcmtkSkip }, async () => {
      const asStored = await get(`${fixtureUrl('multiframe-rle')}/frames/1,3`, { accept: 'multipart/related; type=application/octet-stream; transfer-syntax=*, multipart/related; type="image/dicom-rle"' });
      const storedParts = parseMultipart(asStored.headers['Content-Type'], asStored.body);
      assert.equal(storedParts[0].headers['content-type'], 'application/octet-stream; transfer-syntax=1.2.840.10008.1.2.5');
      const rle = await get(`${fixtureUrl('multiframe-rle')}/frames/2`, { accept: 'multipart/related; type="image/dicom-rle"' });
      assert.equal(parseMultipart(rle.headers['Content-Type'], rle.body)[0].headers['content-type'], 'image/dicom-rle; transfer-syntax=1.2.840.10008.1.2.5');

      const decoded = await get(`${fixtureUrl('multiframe-rle')}/frames/3`, { accept: 'multipart/related; type="application/octet-stream"' });
      assert.equal(decoded.status, 200);
      const source = pixelData(fixtureSource('multiframe-rle'));
      const frameSize = source.length / 4;
      const [part] = parseMultipart(decoded.headers['Content-Type'], decoded.body);
      assert.ok(part.body.equals(source.subarray(2 * frameSize, 3 * frameSize)), 'RLE is lossless: decoded frame equals the source');
    });

    it('answers 400 for a malformed frame list and 404 for a frame beyond the instance', async () => {
      for (const list of ['0', 'a', '1,,2', '-1', '1.5']) {
        assert.equal((await get(`${fixtureUrl('multiframe')}/frames/${list}`)).status, 400, list);
      }
      const beyond = await get(`${fixtureUrl('multiframe')}/frames/2,5`);
      assert.equal(beyond.status, 404);
      assert.match(beyond.message ?? '', /has 4 frame/);
    });

    it('serves Pixel Data as bulk data', async () => {
      const response = await get(`${instanceUrl(0, 0)}/bulkdata/7FE00010`, { accept: 'application/octet-stream' });
      assert.equal(response.status, 200);
      assert.ok(response.body.equals(pixelData(study[0])));
      assert.equal((await get(`${instanceUrl(0, 0)}/bulkdata/00100010`)).status, 404);
      assert.equal((await get(`${instanceUrl(0, 0)}/bulkdata/xyz`)).status, 400);
    });
  });

  describe('rendered and thumbnail', () => {
    async function assertImage(body: Buffer, format: 'jpeg' | 'png', width: number, height: number) {
      const meta = await sharp(body).metadata();
      assert.equal(meta.format, format);
      assert.equal(meta.width, width);
      assert.equal(meta.height, height);
      const stats = await sharp(body).stats();
      assert.ok(stats.channels[0].stdev > 5, 'the image is not blank');
    }

    it('renders an instance as JPEG of the requested viewport size', async () => {
      const response = await get(`${instanceUrl(0, 0)}/rendered?viewport=32,32&window=40,400,linear`, { accept: 'image/jpeg' });
      assert.equal(response.status, 200);
      assert.equal(response.headers['Content-Type'], 'image/jpeg');
      await assertImage(response.body, 'jpeg', 32, 32);
    });

    it('renders a chosen frame as PNG and a compressed instance', async () => {
      const png = await get(`${fixtureUrl('multiframe')}/frames/3/rendered`, { accept: 'image/png' });
      await assertImage(png.body, 'png', 64, 64);
      if (!dcmtkSkip) {
        const jpeg = await get(`${fixtureUrl('jpeg-baseline')}/rendered?viewport=48,48`);
        await assertImage(jpeg.body, 'jpeg', 48, 48);
      }
    });

    it('makes series thumbnails from the middle instance, within 128 px', async () => {
      const response = await get(`${series1Url}/thumbnail`);
      await assertImage(response.body, 'jpeg', 128, 128);
      const small = await get(`${studyUrl}/thumbnail?viewport=20,20`);
      await assertImage(small.body, 'jpeg', 20, 20);
    });

    it('returns study rendered as multipart of JPEG images', async () => {
      const response = await get(`${series1Url}/rendered?viewport=16,16`, { accept: 'multipart/related; type="image/jpeg"' });
      const parts = parseMultipart(response.headers['Content-Type'], response.body);
      assert.equal(parts.length, 4);
      await assertImage(parts[0].body, 'jpeg', 16, 16);
    });

    it('rejects bad rendering parameters with 400 and unservable types with 406', async () => {
      assert.equal((await get(`${instanceUrl(0, 0)}/rendered?window=40`)).status, 400);
      assert.equal((await get(`${instanceUrl(0, 0)}/rendered?viewport=0,10`)).status, 400);
      assert.equal((await get(`${instanceUrl(0, 0)}/rendered`, { accept: 'image/gif' })).status, 406);
    });
  });

  describe('WADO-URI', () => {
    const params = (extra: string) =>
      `/wado?requestType=WADO&studyUID=${study.studyInstanceUid}&seriesUID=${s1}&objectUID=${study.sopInstanceUids[0][0]}${extra}`;

    it('returns the DICOM file and a rendered JPEG', async () => {
      const file = await get(params('&contentType=application/dicom'));
      assert.equal(file.headers['Content-Type'], 'application/dicom');
      assert.ok(file.body.equals(study[0]));
      const jpeg = await get(params('&rows=32&columns=32&windowCenter=40&windowWidth=400'));
      assert.equal(jpeg.headers['Content-Type'], 'image/jpeg');
      assert.equal((await sharp(jpeg.body).metadata()).width, 32);
    });

    it('answers 400 for missing or invalid parameters and 404 out of scope', async () => {
      assert.equal((await get(`/wado?requestType=WADO&studyUID=${study.studyInstanceUid}&seriesUID=${s1}`)).status, 400);
      assert.equal((await get(params('&windowCenter=40'))).status, 400);
      assert.equal((await get(params('&frameNumber=0'))).status, 400);
      assert.equal((await get(params('').replace('requestType=WADO', 'requestType=XYZ'))).status, 400);
      assert.equal((await get(params(''), { scope: { kind: 'facilities', facilityIds: [h.otherFacilityId] } })).status, 404);
    });
  });
});
