// Key images carry their annotations into the signed report (issue 14), with
// real parts: a running node (SQLite or PostgreSQL), a real CT study whose
// third image shows a bright disc, a teleconsultation in which the expert
// measured it (a Length across it, an Ellipse around it, an arrow at it).
// Checked as others see it: who is offered those annotations, what save-draft
// refuses, what the signed PDF prints (pdftotext), what the SR holds (DCMTK's
// dsrdump) and that dciodvfy finds no error, and that the signed copy stays as
// it was when the consultation's annotation is edited later.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import dcmjs from 'dcmjs';
import { GET as getRoute, PUT as saveRoute } from '../../app/api/reports/[id]/route';
import { POST as signRoute } from '../../app/api/reports/[id]/sign/route';
import { POST as createReportRoute } from '../../app/api/studies/[uid]/reports/route';
import { SESSION_COOKIE_NAME, createSession, hashPassword } from '../../lib/auth';
import type { CollabAnnotation, Point2, Point3 } from '../../lib/collab/protocol';
import { startConsultation, type Actor } from '../../lib/consult/consultations';
import { listStudyAnnotations } from '../../lib/consult/list-study-annotations';
import { upsertAnnotation } from '../../lib/consult/upsert-annotation';
import { createUser } from '../../lib/policy/test-fixtures';
import { openReportPage } from '../../lib/reports/open-report-page';
import type { KeyImageAnnotation } from '../../lib/reports/report-types';
import { makeStudy } from '../support/fixtures';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from '../support/test-server';

const PASSWORD = 'key annotations password';
const SIZE = 128;
// makeStudy: a 35 cm field of view, slices 1.25 mm apart at z = -1.25 × instance number,
// and instance 3's disc of radius 16 pixels centred on pixel (40, 64)
const SPACING = 350 / SIZE;
const INSTANCE = 3;
const study = makeStudy({ patientId: 'KA-1', patientName: 'Петрова^Анна', specificCharacterSet: 'ISO_IR 192', accessionNumber: 'ACC-KA-1', seed: 'key-annotations', series: 1, instancesPerSeries: 4, modality: 'CT', rows: SIZE, columns: SIZE });
const seriesUid = study.seriesInstanceUids[0];
const sopUid = (instance: number) => study.sopInstanceUids[0][instance - 1];

const tools = ['dciodvfy', 'pdftotext', 'dsrdump'].filter((tool) => spawnSync(tool, ['-v'], { stdio: 'ignore' }).error !== undefined);
const noTools = tools.length && !process.env.CI ? `not installed: ${tools.join(', ')} (apt-get install -y dicom3tools poppler-utils dcmtk)` : undefined;

/** Patient coordinates (mm) of an image point (column, row; 0,0 = top left corner of the top left pixel) of an instance */
function world([column, row]: Point2, instance = INSTANCE): Point3 {
  return [-175 + (column - 0.5) * SPACING, -175 + (row - 0.5) * SPACING, -1.25 * instance];
}

function annotationInput(uid: string, tool: string, imagePoints: Point2[], frameOfReferenceUid: string, extra: Record<string, unknown>) {
  return {
    uid,
    tool,
    version: 1,
    ref: { studyInstanceUid: study.studyInstanceUid, seriesInstanceUid: seriesUid, sopInstanceUid: sopUid(INSTANCE), frameNumber: 1, frameOfReferenceUid },
    points: imagePoints.map((point) => world(point)),
    imagePoints,
    viewPlaneNormal: [0, 0, 1],
    viewUp: [0, -1, 0],
    ...extra,
  };
}

/** What the report editor keeps of a consultation's annotation (the client's part of the contract) */
function snapshotOf(annotation: CollabAnnotation): KeyImageAnnotation {
  const { uid, tool, points, polyline, imagePoints, viewPlaneNormal, viewUp, text, stats, ref } = annotation;
  return { uid, tool, points, ...(polyline && { polyline }), imagePoints, viewPlaneNormal, viewUp, ...(text !== undefined && { text }), ...(stats && { stats }), frameOfReferenceUid: ref.frameOfReferenceUid };
}

interface ReportAnswer {
  id: string;
  revision: number;
  status: string;
  version: { keyImages: { sopUid: string; annotations?: KeyImageAnnotation[] }[] };
}

describe('key images carry their annotations into the signed report', { skip: noTools }, () => {
  let server: TestServer;
  let tempDir: string;
  let frameOfReferenceUid: string;
  let reportId: string;
  let revision: number;
  let signedSnapshot: KeyImageAnnotation[];
  const people: Record<'host' | 'invitee' | 'colleague', Actor> = {} as never;

  async function call(who: Actor, method: string, urlPath: string, body?: unknown): Promise<Request> {
    const url = new URL(urlPath, server.url);
    const { token } = await createSession(server.node.db, { userId: who.userId, ttlHours: 1 });
    const headers = { origin: url.origin, host: url.host, cookie: `${SESSION_COOKIE_NAME}=${token}`, 'content-type': 'application/json' };
    return new Request(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  }
  const id = () => ({ params: Promise.resolve({ id: reportId }) });
  const save = async (keyImages: unknown) => saveRoute(await call(people.host, 'PUT', `/api/reports/${reportId}`, { baseRevision: revision, keyImages }), id());
  const hostAnnotations = () => listStudyAnnotations(server.node.db, people.host.userId, { facilityId: server.node.firstRun.facilityId, studyInstanceUid: study.studyInstanceUid });

  before(async () => {
    server = await startTestServer();
    tempDir = mkdtempSync(path.join(tmpdir(), 'telepacs-key-annotations-'));
    const db = server.node.db;
    const adminId = (await db.user.findUniqueOrThrow({ where: { email: TEST_ADMIN_EMAIL } })).id;
    const facilityId = (await db.membership.findFirstOrThrow({ where: { userId: adminId } })).facilityId;
    const passwordHash = await hashPassword(PASSWORD);
    const roles = { host: 'EXPERT', invitee: 'REFERRING', colleague: 'EXPERT' } as const;
    for (const [name, role] of Object.entries(roles) as [keyof typeof roles, (typeof roles)[keyof typeof roles]][]) {
      const user = await createUser(db, { email: `${name}@key-annotations.example`, passwordHash, memberships: [{ facilityId, role }] });
      people[name] = { userId: user.id, email: user.email, ip: '10.14.0.1' };
    }
    for (const file of study) await server.node.archive.ingest(file, { kind: 'import', source: 'key-annotations-test' }, facilityId);
    const header = JSON.parse((await db.instance.findFirstOrThrow({ where: { sopInstanceUid: sopUid(INSTANCE) } })).metadata) as Record<string, { Value: string[] }>;
    frameOfReferenceUid = header['00200052'].Value[0];

    // The teleconsultation: the host measures the disc of image 3
    const consultation = await startConsultation({ db }, people.host, { studyInstanceUid: study.studyInstanceUid, invitees: [people.invitee.email] });
    const measured = [
      annotationInput('0d2c7c1e-1111-4a6b-9c7d-000000000001', 'Length', [[24.5, 64.5], [56.5, 64.5]], frameOfReferenceUid, { stats: { length: 32 * SPACING } }),
      annotationInput('0d2c7c1e-1111-4a6b-9c7d-000000000002', 'EllipticalROI', [[40.5, 80.5], [40.5, 48.5], [24.5, 64.5], [56.5, 64.5]], frameOfReferenceUid, {
        stats: { area: Math.PI * (16 * SPACING) ** 2, areaUnit: 'mm²', mean: 1500, stdDev: 0, min: 1500, max: 1500, modalityUnit: 'HU' },
      }),
      annotationInput('0d2c7c1e-1111-4a6b-9c7d-000000000003', 'ArrowAnnotate', [[44, 60], [90, 25]], frameOfReferenceUid, { text: 'Очаг' }),
    ];
    for (const input of measured) await upsertAnnotation(db, people.host, consultation.id, input);

    const templateId = (await db.reportTemplate.findFirstOrThrow({ where: { name: 'CT chest', facilityId: null } })).id;
    const created = await createReportRoute(await call(people.host, 'POST', `/api/studies/${study.studyInstanceUid}/reports`, { templateId }), { params: Promise.resolve({ uid: study.studyInstanceUid }) });
    const { report } = (await created.json()) as { report: ReportAnswer };
    reportId = report.id;
    const saved = await saveRoute(await call(people.host, 'PUT', `/api/reports/${reportId}`, { baseRevision: report.revision, sections: [{ key: 'impression', text: 'Очаг в правом лёгком.' }] }), id());
    assert.equal(saved.status, 200, await saved.clone().text());
    revision = ((await saved.json()) as ReportAnswer).revision;
  });
  after(async () => {
    await server?.stop();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  });

  it("offers the consultation's annotations to its participants, and none to a colleague who was not in it", async () => {
    const runtime = server.node.runtime;
    const page = await openReportPage(runtime, people.host, study.studyInstanceUid);
    assert.deepEqual(page.annotations.map((annotation) => [annotation.tool, annotation.ref.sopInstanceUid]), [
      ['Length', sopUid(INSTANCE)],
      ['EllipticalROI', sopUid(INSTANCE)],
      ['ArrowAnnotate', sopUid(INSTANCE)],
    ]);
    const invitee = await listStudyAnnotations(server.node.db, people.invitee.userId, { facilityId: server.node.firstRun.facilityId, studyInstanceUid: study.studyInstanceUid });
    assert.equal(invitee.length, 3, 'the invited referrer took part');
    const colleague = await openReportPage(runtime, people.colleague, study.studyInstanceUid);
    assert.deepEqual(colleague.annotations, [], 'an expert of the same facility who was not in the session');
  });

  it('refuses on save an annotation drawn on another image, or one with a wrong geometry, and says which', async () => {
    const [length] = (await hostAnnotations()).map(snapshotOf);
    const refusals: Array<[unknown, RegExp]> = [
      // Image 3's Length on image 1: its points lie 2.5 mm off image 1's plane
      [[{ seriesUid, sopUid: sopUid(1), annotations: [length] }], /^Key image 1, annotation 1 \(Length\) was not drawn on this image: it lies 2\.5 mm from this image's plane\.$/],
      [[{ seriesUid, sopUid: sopUid(INSTANCE), annotations: [{ ...length, frameOfReferenceUid: '1.2.3.4' }] }], /^Key image 1, annotation 1 \(Length\) was not drawn on this image: its frame of reference is another image's\.$/],
      [[{ seriesUid, sopUid: sopUid(INSTANCE), annotations: [{ ...length, imagePoints: [...length.imagePoints, [1, 1]] }] }], /^Key image 1, annotation 1: Length has 2 handles \(imagePoints\)\.$/],
      [[{ seriesUid, sopUid: sopUid(INSTANCE) }, { seriesUid, sopUid: sopUid(2), annotations: [{ ...length, tool: 'Probe' }] }], /^Key image 2, annotation 1: .* \(tool\)\.$/],
    ];
    for (const [keyImages, message] of refusals) {
      const response = await save(keyImages);
      const body = (await response.json()) as { error: string; message: string; fields: { keyImages: string } };
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(body.error, 'INVALID_INPUT');
      assert.match(body.message, message);
      assert.equal(body.fields.keyImages, body.message);
    }
    const current = (await (await getRoute(await call(people.host, 'GET', `/api/reports/${reportId}`), id())).json()) as ReportAnswer;
    assert.deepEqual([current.revision, current.version.keyImages], [revision, []], 'nothing was saved');
  });

  it('signs a key image with its Length, Ellipse and arrow: the PDF draws and lists them, the SR holds them as measurements, dciodvfy finds no error', async () => {
    signedSnapshot = (await hostAnnotations()).map(snapshotOf);
    const saved = await save([{ seriesUid, sopUid: sopUid(INSTANCE), annotations: signedSnapshot }]);
    assert.equal(saved.status, 200, await saved.clone().text());
    revision = ((await saved.json()) as ReportAnswer).revision;
    const signed = await signRoute(await call(people.host, 'POST', `/api/reports/${reportId}/sign`, { baseRevision: revision, password: PASSWORD }), id());
    assert.equal(signed.status, 200, await signed.clone().text());
    const version = await server.node.db.reportVersion.findFirstOrThrow({ where: { reportId, version: 1 }, select: { artifacts: true } });
    const artifacts = JSON.parse(version.artifacts!) as { pdfSopInstanceUid: string; srSopInstanceUid: string };

    // The PDF: one line per annotation under the caption, numbered as on the image
    const pdfDicom = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dcmjs.data.DicomMessage.readFile(toArrayBuffer(await stored(artifacts.pdfSopInstanceUid))).dict) as { EncapsulatedDocument: ArrayBuffer[]; EncapsulatedDocumentLength: number };
    const pdfFile = path.join(tempDir, 'report.pdf');
    writeFileSync(pdfFile, Buffer.from(pdfDicom.EncapsulatedDocument[0]).subarray(0, Number(pdfDicom.EncapsulatedDocumentLength)));
    const text = spawnSync('pdftotext', ['-enc', 'UTF-8', pdfFile, '-'], { encoding: 'utf8' }).stdout;
    assert.ok(text.includes('1 Length 87.5 mm'), text);
    assert.ok(text.includes('2 Ellipse · area 6013.2 mm² · mean 1500 ± 0 HU'), text);
    assert.ok(text.includes('3 Arrow “Очаг”'), text);

    // The SR: under Key Images, the image, then a NUM per value INFERRED FROM an SCOORD SELECTED FROM that image
    const srFile = path.join(tempDir, 'report-sr.dcm');
    writeFileSync(srFile, await stored(artifacts.srSopInstanceUid));
    const dump = spawnSync('dsrdump', ['+U8', '+Pl', '+Pc', '+Pt', '+Pu', srFile], { encoding: 'utf8' });
    assert.equal(dump.status, 0, dump.stderr);
    const lines = dump.stdout.split('\n').map((line) => line.trim());
    const at = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line));
    const keyImage = at(/^<contains IMAGE:\(121080,DCM,"Best illustration of finding"\)=\(CT image,"[0-9.]+"\)>$/);
    const length = at(/^<contains NUM:\(410668003,SCT,"Length"\)="87\.5" \(mm,UCUM,"millimeter"\)>$/);
    const area = at(/^<contains NUM:\(42798000,SCT,"Area"\)="6013\.20[0-9]*" \(mm2,UCUM,"square millimeter"\)>$/);
    const arrow = at(/^<contains TEXT:\(121071,DCM,"Finding"\)="Очаг">$/);
    assert.ok(keyImage >= 0 && length > keyImage && area > length && arrow > area, dump.stdout);
    assert.match(lines[length + 1], /^<inferred from SCOORD:=\(POLYLINE,24\.5\/64\.5,56\.5\/64\.5\)>$/);
    assert.match(lines[length + 2], new RegExp(`^<selected from IMAGE:=\\(CT image,"${sopUid(INSTANCE).replace(/\./g, '\\.')}"\\)>$`));
    assert.match(lines[area + 1], /^<inferred from SCOORD:=\(ELLIPSE,24\.5\/64\.5,56\.5\/64\.5,40\.5\/80\.5,40\.5\/48\.5\)>$/);
    assert.match(lines[arrow + 1], /^<inferred from SCOORD:=\(POLYLINE,44\/60,90\/25\)>$/);

    const verified = spawnSync('dciodvfy', [srFile], { encoding: 'utf8' });
    const output = `${verified.stdout}\n${verified.stderr}`.split('\n');
    assert.ok(output.includes('EnhancedSR'), output.join('\n'));
    assert.deepEqual(output.filter((line) => line.startsWith('Error')), []);
  });

  it("keeps the signed copy when the consultation's annotation is edited afterwards", async () => {
    const consultation = await server.node.db.consultation.findFirstOrThrow({ where: { studyInstanceUid: study.studyInstanceUid } });
    const [length] = await hostAnnotations();
    const moved: Point2[] = [[20.5, 64.5], [60.5, 64.5]];
    await upsertAnnotation(server.node.db, people.host, consultation.id, { ...annotationInput(length.uid, 'Length', moved, frameOfReferenceUid, { stats: { length: 40 * SPACING } }), version: length.version + 1 });
    assert.equal((await hostAnnotations())[0].stats?.length, 40 * SPACING, 'the consultation has the edit');

    const report = (await (await getRoute(await call(people.invitee, 'GET', `/api/reports/${reportId}`), id())).json()) as ReportAnswer;
    assert.equal(report.status, 'FINAL');
    assert.deepEqual(report.version.keyImages[0].annotations, signedSnapshot, 'the signed report keeps what was signed');
  });

  async function stored(sopInstanceUid: string): Promise<Buffer> {
    const row = await server.node.db.instance.findFirstOrThrow({ where: { sopInstanceUid }, select: { blobKey: true } });
    return Buffer.from(await server.node.archive.store.get(row.blobKey));
  }
});

function toArrayBuffer(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
