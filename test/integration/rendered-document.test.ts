// WADO-RS /rendered of an Encapsulated PDF over HTTP on a running node
// (SQLite or PostgreSQL): the PDF itself (PS3.18 8.7.4 lists application/pdf
// among the rendered media types), which is what OHIF's PDF viewer puts in its
// <object> (test/e2e/ohif-report.test.ts). Before, the archive answered 406
// "no pixel data to render" and OHIF showed an empty viewport.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import PDFDocument from 'pdfkit';
import { hashPassword } from '../../lib/auth';
import { createFacility, createUser } from '../../lib/policy/test-fixtures';
import type { DicomJsonDataset } from '../../pacs-core/dicom/dicom-json';
import { buildEncapsulatedPdf } from '../../pacs-core/dicom/report/encapsulated-pdf';
import { newUid } from '../../pacs-core/dicom/sr/uids';
import { basicAuthHeader } from '../support/dicomweb-client';
import { makeStudy } from '../support/fixtures';
import { startTestServer, type TestServer } from '../support/test-server';

const OUTSIDER = { email: 'outsider@rendered-document.example', password: 'outsider password 1' };

/** A small PDF of an odd length, so the OB padding byte of the DICOM element is there to be left out. */
function makePdf(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4' });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => {
      const bytes = Buffer.concat(chunks);
      resolve(bytes.length % 2 ? bytes : Buffer.concat([bytes, Buffer.from('\n')]));
    });
    doc.on('error', reject);
    doc.text('CT chest report. Impression: no focal lesion.');
    doc.end();
  });
}

describe('WADO-RS rendered of an Encapsulated PDF', () => {
  let server: TestServer;
  let pdf: Buffer;
  const study = makeStudy({ patientId: 'RENDERED-DOC-1', modality: 'CT', series: 1, instancesPerSeries: 1, rows: 32, columns: 32, seed: 'rendered-document' });
  const pdfSeries = newUid();
  const pdfSop = newUid();
  let pdfUrl = '';

  before(async () => {
    server = await startTestServer();
    const { db, archive, firstRun } = server.node;
    for (const file of study) await archive.ingest(file, { kind: 'import', source: 'rendered-document test' }, firstRun.facilityId);
    const row = await db.study.findFirstOrThrow({ where: { studyInstanceUid: study.studyInstanceUid } });
    pdf = await makePdf();
    const file = buildEncapsulatedPdf({
      pdf,
      patientStudy: JSON.parse(row.attributes) as DicomJsonDataset,
      studyInstanceUid: study.studyInstanceUid,
      seriesInstanceUid: pdfSeries,
      seriesNumber: 9000,
      seriesDescription: 'Report (PDF)',
      sopInstanceUid: pdfSop,
      instanceNumber: 1,
      createdAt: new Date('2026-12-06T10:05:00Z'),
      documentTitle: 'CT chest report',
    });
    await archive.ingest(Buffer.from(file), { kind: 'import', source: 'rendered-document test' }, firstRun.facilityId);
    const other = await createFacility(db, 'Other Clinic');
    await createUser(db, { email: OUTSIDER.email, passwordHash: await hashPassword(OUTSIDER.password), memberships: [{ facilityId: other.id, role: 'EXPERT' }] });
    pdfUrl = `${server.dicomwebUrl}/studies/${study.studyInstanceUid}/series/${pdfSeries}/instances/${pdfSop}/rendered`;
  });
  after(async () => {
    await server?.stop();
  });

  const get = (url: string, accept?: string, authorization = server.adminAuthorization) => fetch(url, { headers: { authorization, ...(accept ? { accept } : {}) } });

  it('answers the PDF itself, byte for byte, to a browser object (*/*), to application/pdf and without Accept', async () => {
    for (const accept of ['*/*', 'application/pdf', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', undefined]) {
      const response = await get(pdfUrl, accept);
      assert.equal(response.status, 200, `Accept ${accept}: ${response.status}`);
      assert.equal(response.headers.get('content-type'), 'application/pdf');
      assert.deepEqual(Buffer.from(await response.arrayBuffer()), pdf, 'the document without the DICOM padding byte');
    }
  });

  it('lets only this origin frame it (the viewer embeds it), and it still runs nothing of its own', async () => {
    const response = await get(pdfUrl);
    assert.equal(response.headers.get('x-frame-options'), 'SAMEORIGIN');
    assert.equal(response.headers.get('content-security-policy'), "default-src 'none'; frame-ancestors 'self'");
    assert.equal(response.headers.get('cache-control'), 'no-store');
    // The viewer's page is cross-origin isolated; an embedded document must be too.
    assert.equal(response.headers.get('cross-origin-embedder-policy'), 'require-corp');
    assert.equal(response.headers.get('cross-origin-resource-policy'), 'same-origin');
    // An image's rendered JPEG keeps the data policy: no framing at all.
    const image = await get(`${server.dicomwebUrl}/studies/${study.studyInstanceUid}/series/${study.seriesInstanceUids[0]}/instances/${study.sopInstanceUids[0][0]}/rendered`);
    assert.equal(image.status, 200);
    assert.equal(image.headers.get('content-type'), 'image/jpeg');
    assert.match(image.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
  });

  it('refuses what it cannot be: an image of the PDF (406), a frame of it (406); an outsider gets 404', async () => {
    const jpeg = await get(pdfUrl, 'image/jpeg');
    assert.equal(jpeg.status, 406);
    assert.match(await jpeg.text(), /application\/pdf/);
    assert.equal((await get(pdfUrl.replace(/\/rendered$/, '/frames/1/rendered'), '*/*')).status, 406);
    const outsider = await get(pdfUrl, '*/*', basicAuthHeader(OUTSIDER.email, OUTSIDER.password));
    assert.equal(outsider.status, 404);
  });

  it('records the retrieval in the audit trail', async () => {
    const rows = await server.node.db.auditEvent.findMany({ where: { action: 'dicomweb.wado', studyUid: study.studyInstanceUid, outcome: 'SUCCESS' } });
    assert.ok(rows.length >= 4, `${rows.length} wado audit rows`);
  });
});
