// What a signature produces, with real parts: a running node (SQLite or
// PostgreSQL), a real CT study with a Cyrillic patient name, the sign route
// with the real producer. Checked as others see it: QIDO-RS finds the DOC and
// SR instances in the study, WADO-RS returns the Encapsulated PDF whose PDF
// poppler's pdfsig calls valid and pdftotext reads, dicom3tools' dciodvfy
// finds no error in either object, an amendment's SR names the first SR as its
// predecessor, and a failed archive write leaves the report unsigned.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import dcmjs from 'dcmjs';
import { POST as addendumRoute } from '../../app/api/reports/[id]/addendum/route';
import { POST as amendRoute } from '../../app/api/reports/[id]/amend/route';
import { PUT as saveRoute } from '../../app/api/reports/[id]/route';
import { POST as signRoute } from '../../app/api/reports/[id]/sign/route';
import { GET as listTemplatesRoute } from '../../app/api/facilities/[facilityId]/report-templates/route';
import { POST as createReportRoute } from '../../app/api/studies/[uid]/reports/route';
import { SESSION_COOKIE_NAME, createSession, hashPassword } from '../../lib/auth';
import { createUser } from '../../lib/policy/test-fixtures';
import { ENCAPSULATED_PDF_SOP_CLASS } from '../../pacs-core/dicom/report/encapsulated-pdf';
import { ENHANCED_SR_SOP_CLASS } from '../../pacs-core/dicom/report/report-sr';
import { createDicomwebClient } from '../support/dicomweb-client';
import { makeStudy } from '../support/fixtures';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from '../support/test-server';

const PASSWORD = 'report signing password';
const IMPRESSION = 'Пневмония справа, нижняя доля.';
const study = makeStudy({ patientId: 'RS-1', patientName: 'Иванов^Иван', specificCharacterSet: 'ISO_IR 192', accessionNumber: 'ACC-RS-1', seed: 'report-signing', series: 1, instancesPerSeries: 4, modality: 'CT' });
const KEY_IMAGES = study.sopInstanceUids[0].map((sopUid) => ({ seriesUid: study.seriesInstanceUids[0], sopUid, frame: 1 }));

const tools = ['dciodvfy', 'pdfsig', 'pdftotext', 'pdfimages'].filter((tool) => spawnSync(tool, ['-v'], { stdio: 'ignore' }).error !== undefined);
const noTools = tools.length && !process.env.CI ? `not installed: ${tools.join(', ')} (apt-get install -y dicom3tools poppler-utils)` : undefined;

interface ReportAnswer {
  id: string;
  status: string;
  revision: number;
}
type Artifacts = { pdfSeriesInstanceUid: string; pdfSopInstanceUid: string; srSeriesInstanceUid: string; srSopInstanceUid: string };

describe('signing a report stores its signed PDF and SR in the study', { skip: noTools }, () => {
  let server: TestServer;
  let tempDir: string;
  let facilityId: string;
  let expertId: string;
  let reportId: string;
  let revision: number;
  const artifacts: Artifacts[] = [];

  async function call(method: string, urlPath: string, body?: unknown): Promise<Request> {
    const url = new URL(urlPath, server.url);
    const { token } = await createSession(server.node.db, { userId: expertId, ttlHours: 1 });
    const headers = { origin: url.origin, host: url.host, cookie: `${SESSION_COOKIE_NAME}=${token}`, 'content-type': 'application/json' };
    return new Request(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  }
  const id = () => ({ params: Promise.resolve({ id: reportId }) });

  async function sign(): Promise<{ response: Response; ms: number }> {
    const started = performance.now();
    const response = await signRoute(await call('POST', `/api/reports/${reportId}/sign`, { baseRevision: revision, password: PASSWORD }), id());
    return { response, ms: Math.round(performance.now() - started) };
  }
  async function signed(version: number): Promise<Artifacts> {
    const row = await server.node.db.reportVersion.findFirstOrThrow({ where: { reportId, version }, select: { artifacts: true } });
    return JSON.parse(row.artifacts!) as Artifacts;
  }
  async function storedFile(sopInstanceUid: string): Promise<string> {
    const row = await server.node.db.instance.findFirstOrThrow({ where: { sopInstanceUid }, select: { blobKey: true } });
    const file = path.join(tempDir, `${sopInstanceUid}.dcm`);
    writeFileSync(file, await server.node.archive.store.get(row.blobKey));
    return file;
  }
  /** dciodvfy's errors, after checking it recognised the IOD */
  function dciodvfyErrors(file: string, iod: string): string[] {
    const result = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
    const lines = `${result.stdout}\n${result.stderr}`.split('\n');
    assert.ok(lines.includes(iod), lines.join('\n'));
    return lines.filter((line) => line.startsWith('Error'));
  }

  before(async () => {
    server = await startTestServer();
    tempDir = mkdtempSync(path.join(tmpdir(), 'telepacs-report-signing-'));
    const db = server.node.db;
    const adminId = (await db.user.findUniqueOrThrow({ where: { email: TEST_ADMIN_EMAIL } })).id;
    facilityId = (await db.membership.findFirstOrThrow({ where: { userId: adminId } })).facilityId;
    expertId = (await createUser(db, { email: 'signer@report.example', passwordHash: await hashPassword(PASSWORD), memberships: [{ facilityId, role: 'EXPERT' }] })).id;
    await db.user.update({ where: { id: expertId }, data: { name: 'Петров Пётр' } });
    for (const file of study) await server.node.archive.ingest(file, { kind: 'import', source: 'report-signing-test' }, facilityId);

    const templates = (await (await listTemplatesRoute(await call('GET', `/api/facilities/${facilityId}/report-templates`), { params: Promise.resolve({ facilityId }) })).json()) as { templates: { id: string; name: string }[] };
    const templateId = templates.templates.find((template) => template.name === 'CT chest')!.id;
    const created = await createReportRoute(await call('POST', `/api/studies/${study.studyInstanceUid}/reports`, { templateId }), { params: Promise.resolve({ uid: study.studyInstanceUid }) });
    const { report } = (await created.json()) as { report: ReportAnswer };
    reportId = report.id;
    const sections = [
      { key: 'findings', text: 'Инфильтрат в нижней доле правого лёгкого.' },
      { key: 'impression', text: IMPRESSION },
    ];
    const saved = await saveRoute(await call('PUT', `/api/reports/${reportId}`, { baseRevision: report.revision, sections, keyImages: KEY_IMAGES }), id());
    assert.equal(saved.status, 200);
    revision = ((await saved.json()) as ReportAnswer).revision;
  });
  after(async () => {
    await server?.stop();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  });

  it('signs: the study gains a DOC and an SR instance that QIDO finds, the PDF from WADO is validly signed and readable', async () => {
    const { response, ms } = await sign();
    assert.equal(response.status, 200, await response.clone().text());
    revision = ((await response.json()) as ReportAnswer).revision;
    console.log(`time to sign (password check, PDF with 4 key images, 2 DICOM objects stored; first signature of the facility, certificate made): ${ms} ms`);
    artifacts.push(await signed(1));
    const [first] = artifacts;

    const client = createDicomwebClient(server.dicomwebUrl, server.adminAuthorization);
    const found = (await client.searchForInstances({ studyInstanceUID: study.studyInstanceUid, queryParams: { includefield: '00080060' } })) as Record<string, { Value?: unknown[] }>[];
    const bySop = new Map(found.map((instance) => [String(instance['00080018']?.Value?.[0]), String(instance['00080016']?.Value?.[0])]));
    assert.equal(bySop.get(first.pdfSopInstanceUid), ENCAPSULATED_PDF_SOP_CLASS);
    assert.equal(bySop.get(first.srSopInstanceUid), ENHANCED_SR_SOP_CLASS);

    const retrieve = client.retrieveInstance.bind(client) as unknown as (options: { studyInstanceUID: string; seriesInstanceUID: string; sopInstanceUID: string }) => Promise<ArrayBuffer>;
    const part10 = await retrieve({ studyInstanceUID: study.studyInstanceUid, seriesInstanceUID: first.pdfSeriesInstanceUid, sopInstanceUID: first.pdfSopInstanceUid });
    const dataset = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dcmjs.data.DicomMessage.readFile(part10).dict) as { EncapsulatedDocument: ArrayBuffer[]; EncapsulatedDocumentLength: number };
    const document = Buffer.from(dataset.EncapsulatedDocument[0]).subarray(0, Number(dataset.EncapsulatedDocumentLength));
    const pdfFile = path.join(tempDir, 'report.pdf');
    writeFileSync(pdfFile, document);
    const sig = spawnSync('pdfsig', [pdfFile], { encoding: 'utf8' });
    assert.match(sig.stdout, /Signature Validation: Signature is Valid\./, sig.stdout + sig.stderr);
    assert.match(sig.stdout, /Total document signed/);
    const text = spawnSync('pdftotext', ['-enc', 'UTF-8', pdfFile, '-'], { encoding: 'utf8' }).stdout;
    assert.ok(text.includes(IMPRESSION), text);
    assert.ok(text.includes('Иванов'), 'the Cyrillic patient name is text in the PDF');
    assert.ok(text.includes('Петров Пётр'), 'the signer');
    assert.equal(spawnSync('pdfimages', ['-list', pdfFile], { encoding: 'utf8' }).stdout.split('\n').filter((line) => / image /.test(line)).length >= 4, true, 'the 4 key images are printed');
  });

  it('writes both objects so that dciodvfy finds no error', async () => {
    const [first] = artifacts;
    assert.deepEqual(dciodvfyErrors(await storedFile(first.pdfSopInstanceUid), 'EncapsulatedPDF'), []);
    assert.deepEqual(dciodvfyErrors(await storedFile(first.srSopInstanceUid), 'EnhancedSR'), []);
  });

  it("files an amendment's SR with the first SR as its predecessor, in new series", async () => {
    const opened = await amendRoute(await call('POST', `/api/reports/${reportId}/amend`, { baseRevision: revision, reason: 'Сторона исправлена', sections: [{ key: 'impression', text: 'Пневмония слева.' }] }), id());
    assert.equal(opened.status, 201);
    revision = ((await opened.json()) as ReportAnswer).revision;
    const { response, ms } = await sign();
    assert.equal(response.status, 200, await response.clone().text());
    revision = ((await response.json()) as ReportAnswer).revision;
    console.log(`time to sign (password check, PDF with 4 key images, 2 DICOM objects stored; facility certificate exists): ${ms} ms`);
    artifacts.push(await signed(2));
    const [first, second] = artifacts;
    assert.notEqual(second.srSeriesInstanceUid, first.srSeriesInstanceUid);

    const file = await storedFile(second.srSopInstanceUid);
    const sr = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dcmjs.data.DicomMessage.readFile(new Uint8Array(readFileSync(file)).buffer).dict) as {
      VerificationFlag: string;
      PredecessorDocumentsSequence: { ReferencedSeriesSequence: { SeriesInstanceUID: string; ReferencedSOPSequence: { ReferencedSOPInstanceUID: string }[] }[] }[];
    };
    const predecessor = sr.PredecessorDocumentsSequence[0].ReferencedSeriesSequence[0];
    assert.deepEqual([predecessor.SeriesInstanceUID, predecessor.ReferencedSOPSequence[0].ReferencedSOPInstanceUID], [first.srSeriesInstanceUid, first.srSopInstanceUid]);
    assert.equal(sr.VerificationFlag, 'VERIFIED');
    assert.deepEqual(dciodvfyErrors(file, 'EnhancedSR'), []);
  });

  it('leaves the report unsigned with SIGN_FAILED when the archive refuses a write, and signs on the next try', async () => {
    const opened = await addendumRoute(await call('POST', `/api/reports/${reportId}/addendum`, { baseRevision: revision, reason: 'Результат биопсии', sections: [{ key: 'addendum', text: 'Биопсия: без опухоли.' }] }), id());
    assert.equal(opened.status, 201, await opened.clone().text());
    revision = ((await opened.json()) as ReportAnswer).revision;
    const archive = server.node.archive;
    const ingest = archive.ingest;
    archive.ingest = async () => {
      archive.ingest = ingest;
      throw new Error('disk full');
    };
    const { response } = await sign();
    archive.ingest = ingest;
    assert.equal(response.status, 503);
    assert.equal(((await response.json()) as { error: string }).error, 'SIGN_FAILED');
    const report = await server.node.db.report.findUniqueOrThrow({ where: { id: reportId }, include: { versions: { where: { version: 3 } } } });
    assert.deepEqual([report.status, report.signingToken, report.versions[0].signedAt, report.versions[0].artifacts], ['AMENDED', null, null, null]);

    const retried = await sign();
    assert.equal(retried.response.status, 200, await retried.response.clone().text());
    assert.equal(((await retried.response.json()) as ReportAnswer).status, 'ADDENDUM');
    const third = await signed(3);
    assert.equal((await server.node.db.instance.count({ where: { sopInstanceUid: { in: [third.pdfSopInstanceUid, third.srSopInstanceUid] } } })), 2);
  });
});
