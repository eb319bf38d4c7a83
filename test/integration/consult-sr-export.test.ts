// Exporting a teleconsultation's annotations into the archive as a DICOM SR
// (issue 5, "after the session"), with real parts: a running node, its
// archive and index on SQLite or PostgreSQL, the route handler, dicomweb-client
// for QIDO-RS/WADO-RS, two DICOM implementations that are not ours to judge
// the file (dciodvfy from dicom3tools, dsrdump from DCMTK), and the
// Cornerstone3D adapters compiled into the OHIF dist we ship, which must turn
// the report back into the tools that were drawn (test/support/ohif-sr.ts).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import dcmjs from 'dcmjs';
import { POST as exportSrRoute } from '../../app/api/consultations/[id]/export-sr/route';
import type { AnnotationGeometry, AnnotationToolName, Point2, Point3 } from '../../lib/collab/protocol';
import { SESSION_COOKIE_NAME, createSession } from '../../lib/auth';
import { isAdminError } from '../../lib/admin/errors';
import { startConsultation } from '../../lib/consult/consultations';
import { SR_SERIES_DESCRIPTION, exportConsultationSr, type ExportSrResult } from '../../lib/consult/export-sr';
import { waitForJob } from '../../lib/jobs/job-signals';
import { isPolicyError } from '../../lib/policy';
import { createFacility, createUser } from '../../lib/policy/test-fixtures';
import { ENHANCED_SR_SOP_CLASS } from '../../pacs-core/dicom/sr/measurement-report';
import { uidFromUuid } from '../../pacs-core/dicom/sr/uids';
import { permitSharing, patientRefOfStudy } from '../support/consent';
import { createDicomwebClient } from '../support/dicomweb-client';
import { ohifDistMissing, readSrWithOhif, type OhifImagePlane } from '../support/ohif-sr';
import { SOP_CLASS, hasDcmtk, makeInstance, makeStudy, type InstanceOptions } from '../support/fixtures';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from '../support/test-server';

const { DicomMetaDictionary } = dcmjs.data;

// Under CI the tools are installed by .ci/run, so nothing may be skipped there.
const hasDciodvfy = spawnSync('dciodvfy', ['-help'], { stdio: 'ignore' }).error === undefined;
const noDciodvfy = hasDciodvfy || process.env.CI ? undefined : 'dicom3tools is not installed (apt-get install -y dicom3tools)';
const noDcmtk = hasDcmtk() || process.env.CI ? undefined : 'DCMTK is not installed (apt-get install -y dcmtk)';

// The study the session looks at: a CT series and a multi-frame series (frame references).
const PATIENT: InstanceOptions = {
  patientId: 'SR-1',
  patientName: 'Åström^Eva',
  specificCharacterSet: 'ISO_IR 192',
  accessionNumber: 'ACC-SR-1',
  studyId: 'S-77',
  seed: 'consult-sr-export',
};
const study = makeStudy({ ...PATIENT, series: 1, instancesPerSeries: 2, modality: 'CT' });
const cine = makeInstance({ ...PATIENT, studyInstanceUid: study.studyInstanceUid, modality: 'OT', seriesNumber: 2, instanceNumber: 1, numberOfFrames: 3 });
const CINE_SERIES = (() => {
  const dataset = DicomMetaDictionary.naturalizeDataset(dcmjs.data.DicomMessage.readFile(cine.buffer.slice(cine.byteOffset, cine.byteOffset + cine.byteLength) as ArrayBuffer).dict);
  return { seriesInstanceUid: String(dataset.SeriesInstanceUID), sopInstanceUid: String(dataset.SOPInstanceUID) };
})();

// makeInstance's geometry: 64×64 pixels of 350/64 mm, centred on the isocentre, axial.
const SPACING = 350 / 64;
/** (column, row) → patient coordinates, with Cornerstone's convention (0,0 = corner of the first pixel). */
function world([column, row]: Point2, slice: number): Point3 {
  return [-175 + (column - 0.5) * SPACING, -175 + (row - 0.5) * SPACING, -1.25 * slice];
}

function worldPoints(annotation: AnnotationFixture): Point3[] {
  return annotation.imagePoints.map((point) => world(point, annotation.image.slice));
}

interface AnnotationFixture {
  tool: AnnotationToolName;
  /** slice: the image's InstanceNumber (makeInstance places it at z = -1.25 mm × slice) */
  image: { seriesInstanceUid: string; sopInstanceUid: string; slice: number; frameNumber?: number };
  imagePoints: Point2[];
  text?: string;
  stats?: AnnotationGeometry['stats'];
}

const CT_1 = { seriesInstanceUid: study.seriesInstanceUids[0], sopInstanceUid: study.sopInstanceUids[0][0], slice: 1 };
const CT_2 = { seriesInstanceUid: study.seriesInstanceUids[0], sopInstanceUid: study.sopInstanceUids[0][1], slice: 2 };

/** What the collaborative viewer stores for each tool (lib/collab/protocol.ts AnnotationGeometry). */
const ANNOTATIONS: AnnotationFixture[] = [
  { tool: 'Length', image: CT_1, imagePoints: [[12.4, 30.1], [40.8, 33.6]], stats: { length: 156.49 } },
  { tool: 'Angle', image: CT_1, imagePoints: [[20, 44], [32, 20], [48, 42]], stats: { angle: 62.35 } },
  { tool: 'ArrowAnnotate', image: CT_2, imagePoints: [[30.5, 28.5], [44, 14]], text: 'Cortical break?' },
  {
    tool: 'EllipticalROI',
    image: CT_2,
    // [bottom, top, left, right]: wider than tall
    imagePoints: [[32, 38], [32, 26], [20, 32], [44, 32]],
    stats: { area: 1352.8, areaUnit: 'mm²', mean: 38.2, stdDev: 11.7, min: -4, max: 91, modalityUnit: 'HU' },
  },
  {
    tool: 'RectangleROI',
    image: { ...CINE_SERIES, slice: 1, frameNumber: 2 },
    imagePoints: [[10, 12], [30, 12], [10, 24], [30, 24]],
    stats: { area: 7177.7, areaUnit: 'mm²', mean: 512.4, stdDev: 40.1, min: 400, max: 640, modalityUnit: '' },
  },
  {
    tool: 'PlanarFreehandROI',
    image: CT_1,
    imagePoints: [[22, 22], [28, 19.5], [35, 21], [38, 27], [34, 33], [26, 34], [21, 29]],
    stats: { area: 3610.2, areaUnit: 'mm²', mean: 45.1, stdDev: 8.3, min: 20, max: 70, modalityUnit: 'HU' },
  },
];

function geometryOf(annotation: AnnotationFixture): AnnotationGeometry {
  return {
    points: worldPoints(annotation),
    imagePoints: annotation.imagePoints,
    viewPlaneNormal: [0, 0, -1],
    viewUp: [0, -1, 0],
    ...(annotation.text ? { text: annotation.text } : {}),
    ...(annotation.stats ? { stats: annotation.stats } : {}),
  };
}

describe('exporting a teleconsultation as a DICOM SR', () => {
  let server: TestServer;
  let tempDir: string;
  let consultationId: string;
  let emptyConsultationId: string;
  const admin = { userId: '', email: TEST_ADMIN_EMAIL, ip: '10.0.0.9' };
  const users = { expert: '', guest: '', outsider: '' };
  const annotationIds: string[] = [];
  let first: ExportSrResult;

  async function cookieFor(userId: string): Promise<string> {
    const { token } = await createSession(server.node.db, { userId, ttlHours: 1 });
    return `${SESSION_COOKIE_NAME}=${token}`;
  }

  /** The route handler, called as Next would: a same-origin POST with the session cookie. */
  async function postExport(id: string, userId?: string): Promise<Response> {
    const url = new URL(`/api/consultations/${id}/export-sr`, server.url);
    const headers: Record<string, string> = { origin: url.origin, host: url.host };
    if (userId) headers.cookie = await cookieFor(userId);
    return exportSrRoute(new Request(url, { method: 'POST', headers }), { params: Promise.resolve({ id }) });
  }

  /** The stored SR, as the archive keeps it, written to a temp file for the command line tools. */
  async function storedFile(sopInstanceUid: string): Promise<string> {
    const row = await server.node.db.instance.findFirstOrThrow({ where: { sopInstanceUid }, select: { blobKey: true } });
    const file = path.join(tempDir, `${sopInstanceUid}.dcm`);
    writeFileSync(file, await server.node.archive.store.get(row.blobKey));
    return file;
  }

  before(async () => {
    server = await startTestServer();
    tempDir = mkdtempSync(path.join(tmpdir(), 'telepacs-sr-export-'));
    const db = server.node.db;
    admin.userId = (await db.user.findUniqueOrThrow({ where: { email: TEST_ADMIN_EMAIL } })).id;
    const home = await db.membership.findFirstOrThrow({ where: { userId: admin.userId } });
    for (const file of [...study, cine]) await server.node.archive.ingest(file, { kind: 'import', source: 'sr-export-test' }, home.facilityId);
    // The patient agreed to share their images with the region's facilities
    await permitSharing(db, await patientRefOfStudy(db, study.studyInstanceUid, home.facilityId));

    const valley = await createFacility(db, 'Valley Clinic');
    const expert = await createUser(db, { email: 'radiologist@valley.example', memberships: [{ facilityId: valley.id, role: 'EXPERT' }] });
    await db.user.update({ where: { id: expert.id }, data: { name: 'Bo Chen' } });
    users.expert = expert.id;
    users.outsider = (await createUser(db, { email: 'outsider@valley.example', memberships: [{ facilityId: valley.id, role: 'REFERRING' }] })).id;
    users.guest = (await db.user.create({ data: { email: 'guest-expert@guest.invalid', name: 'Visiting Expert', passwordHash: '', guest: true } })).id;

    consultationId = (await startConsultation({ db }, admin, { studyInstanceUid: study.studyInstanceUid, invitees: ['radiologist@valley.example'] })).id;
    await db.consultationParticipant.create({ data: { consultationId, userId: users.guest, role: 'GUEST' } });
    emptyConsultationId = (await startConsultation({ db }, admin, { studyInstanceUid: study.studyInstanceUid, invitees: ['radiologist@valley.example'] })).id;

    for (const [index, annotation] of ANNOTATIONS.entries()) {
      const id = randomUUID();
      annotationIds.push(id);
      await db.consultationAnnotation.create({
        data: {
          id,
          consultationId,
          authorUserId: index % 2 === 0 ? admin.userId : users.expert,
          toolName: annotation.tool,
          studyInstanceUid: study.studyInstanceUid,
          seriesInstanceUid: annotation.image.seriesInstanceUid,
          sopInstanceUid: annotation.image.sopInstanceUid,
          frameNumber: annotation.image.frameNumber ?? 1,
          geometry: JSON.stringify(geometryOf(annotation)),
        },
      });
    }
    // Deleted in the session: kept as a row, never exported
    await db.consultationAnnotation.create({
      data: {
        id: randomUUID(),
        consultationId,
        authorUserId: users.expert,
        toolName: 'Length',
        studyInstanceUid: study.studyInstanceUid,
        seriesInstanceUid: CT_1.seriesInstanceUid,
        sopInstanceUid: CT_1.sopInstanceUid,
        geometry: JSON.stringify(geometryOf(ANNOTATIONS[0])),
        deletedAt: new Date(),
      },
    });
  });

  after(async () => {
    await server?.stop();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  });

  it('writes the annotations into the study as an SR in a new series, with the export row and its audit event', async () => {
    const db = server.node.db;
    first = await exportConsultationSr({ db, archive: server.node.archive }, admin, consultationId);
    assert.equal(first.annotationCount, 6, 'the deleted annotation is not exported');

    const stored = await db.instance.findFirstOrThrow({
      where: { sopInstanceUid: first.sopInstanceUid },
      select: { sopClassUid: true, origin: true, series: { select: { seriesInstanceUid: true, modality: true, description: true, study: { select: { studyInstanceUid: true, facilityId: true } } } } },
    });
    assert.equal(stored.sopClassUid, ENHANCED_SR_SOP_CLASS);
    assert.equal(stored.origin, `import:consultation:${consultationId}`);
    assert.equal(stored.series.seriesInstanceUid, first.seriesInstanceUid);
    assert.equal(stored.series.modality, 'SR');
    assert.equal(stored.series.description, SR_SERIES_DESCRIPTION);
    assert.equal(stored.series.study.studyInstanceUid, study.studyInstanceUid);

    const exports = await db.consultationExport.findMany({ where: { consultationId } });
    assert.deepEqual(
      exports.map((row) => [row.sopInstanceUid, row.seriesInstanceUid, row.annotationCount, row.exportedById]),
      [[first.sopInstanceUid, first.seriesInstanceUid, 6, admin.userId]],
    );
    assert.equal(first.state, 'DONE', 'stored within the wait: the room says "Saved"');
    assert.equal(exports[0].state, 'DONE');
    const job = await db.job.findUniqueOrThrow({ where: { type_key: { type: 'consult.export-sr', key: exports[0].id } } });
    assert.deepEqual([job.state, job.attempts, job.facilityId], ['DONE', 1, stored.series.study.facilityId]);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: 'consult.export', studyUid: study.studyInstanceUid } });
    assert.equal(audit.outcome, 'SUCCESS');
    assert.equal(audit.actorUserId, admin.userId);
    assert.equal(audit.patientId, 'SR-1');
    assert.equal(audit.sourceIp, '10.0.0.9');
    assert.equal(audit.resource, `consultations/${consultationId}`);
    assert.equal(JSON.parse(audit.details).sopInstanceUid, first.sopInstanceUid);
  });

  it('passes dciodvfy (dicom3tools) without errors', { skip: noDciodvfy }, async () => {
    const result = spawnSync('dciodvfy', [await storedFile(first.sopInstanceUid)], { encoding: 'utf8' });
    const lines = `${result.stdout}\n${result.stderr}`.split('\n').filter(Boolean);
    assert.ok(lines.includes('EnhancedSR'), `dciodvfy recognised the IOD:\n${lines.join('\n')}`);
    const errors = lines.filter((line) => line.startsWith('Error'));
    assert.deepEqual(errors, [], lines.join('\n'));
    // The one warning we accept, once per Person Observer Name: a user's display name ("Bo Chen",
    // "Administrator") kept whole as the family name component. dciodvfy calls a PN without a ^
    // the "Retired Person Name form" (ACR-NEMA's); the value is valid PN (PS3.5 6.2, 6.2.1.1), and
    // splitting a free-text name into family and given names would be a guess.
    const warnings = lines.filter((line) => line.startsWith('Warning') && !/Retired Person Name form/.test(line));
    assert.deepEqual(warnings, [], lines.join('\n'));
  });

  it('is read by DCMTK dsrdump as a TID 1500 report with every measurement, its author and the arrow text', { skip: noDcmtk }, async () => {
    const file = await storedFile(first.sopInstanceUid);
    const result = spawnSync('dsrdump', ['+Pl', '+Pc', '+Pt', '+Pu', '+Psu', file], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    // dsrdump checks the Enhanced SR relationship constraints (PS3.3 A.35.2) while reading; it warns only
    // that its VR checker does not know UTF-8 (ISO_IR 192), which it then reads all the same.
    const problems = result.stderr.split('\n').filter((line) => /^[EWF]:/.test(line) && !/does not support this Specific Character Set: ISO_IR 192/.test(line));
    assert.deepEqual(problems, []);
    const dump = result.stdout;
    assert.match(dump, /^Enhanced SR Document/m);
    assert.match(dump, /Patient\s+: Åström\^Eva \(O, 1970-01-01, #SR-1:TELEPACS-TEST\)/);
    assert.match(dump, /Completion Flag\s+: PARTIAL/, 'the session has not ended');
    assert.match(dump, /Verification Flag\s+: UNVERIFIED/);
    assert.match(dump, /<CONTAINER:\(126000,DCM,"Imaging Measurement Report"\)=SEPARATE>/);
    assert.match(dump, /# TID 1500 \(DCMR, 1\.2\.840\.10008\.8\.1\.1\)/);
    for (const tool of ANNOTATIONS.map((annotation) => annotation.tool)) assert.match(dump, new RegExp(`"Cornerstone3DTools@\\^0\\.1\\.0:${tool}"`));
    for (const id of annotationIds) assert.ok(dump.includes(`"${uidFromUuid(id)}"`), `tracking UID of annotation ${id}`);
    assert.match(dump, /\(410668003,SCT,"Length"\)="156\.49" \(mm,UCUM,"millimeter"\)/);
    assert.match(dump, /\(285285000,SCT,"Cobb angle"\)="62\.35" \(deg,UCUM,"degree"\)/);
    assert.match(dump, /\(42798000,SCT,"Area"\)="1352\.8" \(mm2,UCUM,"square millimeter"\)/);
    assert.match(dump, /\(373098007,SCT,"Mean"\)="38\.2" \(\[hnsf'U\],UCUM,"Hounsfield unit"\)/);
    assert.match(dump, /\(121106,DCM,"Comment"\)="Cortical break\?"/);
    assert.match(dump, /SCOORD:=\(ELLIPSE,/);
    assert.match(dump, /\(121008,DCM,"Person Observer Name"\)="Bo Chen"/);
    assert.match(dump, /\(121008,DCM,"Person Observer Name"\)="Administrator"/, "the test server's admin");
    assert.ok(dump.includes(`("${SOP_CLASS.SC_MULTIFRAME_WORD}","${CINE_SERIES.sopInstanceUid}",2)`), 'the rectangle on frame 2 of the multi-frame image');
  });

  it('is found by QIDO-RS in the study as an SR series, and WADO-RS metadata carries its content for OHIF', async () => {
    const client = createDicomwebClient(server.dicomwebUrl, server.adminAuthorization);
    const series = (await client.searchForSeries({ studyInstanceUID: study.studyInstanceUid })) as Record<string, { Value?: unknown[] }>[];
    const srSeries = series.filter((item) => item['00080060']?.Value?.[0] === 'SR');
    assert.equal(srSeries.length, 1);
    assert.equal(srSeries[0]['0020000E'].Value?.[0], first.seriesInstanceUid);
    assert.equal(srSeries[0]['0008103E'].Value?.[0], SR_SERIES_DESCRIPTION);
    assert.equal(Number(srSeries[0]['00201209'].Value?.[0]), 1, 'NumberOfSeriesRelatedInstances');
    const studies = (await client.searchForStudies({ queryParams: { StudyInstanceUID: study.studyInstanceUid, includefield: '00080061' } })) as Record<string, { Value?: unknown[] }>[];
    assert.ok(studies[0]['00080061'].Value?.includes('SR'), 'ModalitiesInStudy');

    // OHIF reads the report from WADO-RS metadata, never from the file
    const [metadata] = (await client.retrieveInstanceMetadata({
      studyInstanceUID: study.studyInstanceUid,
      seriesInstanceUID: first.seriesInstanceUid,
      sopInstanceUID: first.sopInstanceUid,
    })) as Record<string, unknown>[];
    const report = DicomMetaDictionary.naturalizeDataset(metadata as Parameters<typeof DicomMetaDictionary.naturalizeDataset>[0]) as {
      ConceptNameCodeSequence: { CodeValue: string }[];
      ContentSequence: { ConceptNameCodeSequence: { CodeValue: string }[]; ContentSequence?: { ContentSequence: { ConceptNameCodeSequence: { CodeValue: string }[]; TextValue?: string }[] }[] }[];
    };
    assert.equal(report.ConceptNameCodeSequence[0].CodeValue, '126000');
    const groups = report.ContentSequence.find((item) => item.ConceptNameCodeSequence[0].CodeValue === '126010')?.ContentSequence ?? [];
    // One group per annotation, in the order they were made; two made within the same
    // millisecond have no order between them (createdAt, then a random id), so compare as sets
    assert.deepEqual(
      groups.map((group) => group.ContentSequence.find((item) => item.ConceptNameCodeSequence[0].CodeValue === '112039')?.TextValue).sort(),
      ANNOTATIONS.map((annotation) => `Cornerstone3DTools@^0.1.0:${annotation.tool}`).sort(),
    );
  });

  it("is hydrated by OHIF 3.13's own Cornerstone3D adapters into the same tools, handles and text", { skip: ohifDistMissing() }, async () => {
    const client = createDicomwebClient(server.dicomwebUrl, server.adminAuthorization);
    // OHIF hydrates from the WADO-RS metadata (an array of one instance), as here
    const [metadata] = (await client.retrieveInstanceMetadata({
      studyInstanceUID: study.studyInstanceUid,
      seriesInstanceUID: first.seriesInstanceUid,
      sopInstanceUID: first.sopInstanceUid,
    })) as Record<string, unknown>[];
    // Where each referenced image lies in patient space, from its header in the index
    const images: Record<string, OhifImagePlane> = {};
    for (const { sopInstanceUid } of [CT_1, CT_2, CINE_SERIES]) {
      const header = JSON.parse((await server.node.db.instance.findFirstOrThrow({ where: { sopInstanceUid }, select: { metadata: true } })).metadata) as Record<string, { Value?: unknown[] }>;
      const values = (tag: string) => (header[tag]?.Value ?? []).map(Number);
      images[sopInstanceUid] = {
        imagePositionPatient: values('00200032'),
        imageOrientationPatient: values('00200037'),
        pixelSpacing: values('00280030'),
        rows: values('00280010')[0],
        columns: values('00280011')[0],
        frameOfReferenceUid: String(header['00200052']?.Value?.[0] ?? ''),
        numberOfFrames: values('00280008')[0] || 1,
      };
    }
    const reading = await readSrWithOhif(metadata, images);
    assert.deepEqual(reading.warnings, [], 'every group read');
    assert.deepEqual(
      reading.adapters,
      Object.fromEntries(ANNOTATIONS.map((annotation) => [`Cornerstone3DTools@^0.1.0:${annotation.tool}`, annotation.tool])),
      'each tracking identifier picks the adapter of its tool',
    );

    const close = (actual: number[][] | undefined, expected: Point3[], what: string) => {
      assert.equal(actual?.length, expected.length, `${what}: ${JSON.stringify(actual)}`);
      actual.forEach((point, index) => point.forEach((value, axis) => assert.ok(Math.abs(value - expected[index][axis]) < 1e-3, `${what} point ${index}: ${point} ≠ ${expected[index]}`)));
    };
    for (const [index, annotation] of ANNOTATIONS.entries()) {
      const entries = reading.toolState[annotation.tool] ?? [];
      assert.equal(entries.length, 1, `one ${annotation.tool}`);
      const [{ annotation: hydrated, TrackingUniqueIdentifier }] = entries;
      assert.equal(TrackingUniqueIdentifier, uidFromUuid(annotationIds[index]));
      assert.equal(hydrated.metadata.referencedImageId, `wadors:/dicomweb/instances/${annotation.image.sopInstanceUid}/frames/${annotation.image.frameNumber ?? 1}`);
      const expected = worldPoints(annotation);
      const handles = hydrated.data.handles?.points;
      switch (annotation.tool) {
        case 'EllipticalROI':
          // the adapter hands back the SR's order: major (left-right) axis, then minor (bottom, top)
          close(handles, [expected[2], expected[3], expected[0], expected[1]], annotation.tool);
          break;
        case 'PlanarFreehandROI':
          close(hydrated.data.contour?.polyline, expected, annotation.tool);
          assert.equal(hydrated.data.contour?.closed, true);
          break;
        default:
          close(handles, expected, annotation.tool);
      }
    }
    assert.equal(reading.toolState.ArrowAnnotate[0].annotation.data.text, 'Cortical break?');
    const lengthStats = Object.values(reading.toolState.Length[0].annotation.data.cachedStats ?? {})[0];
    assert.equal(lengthStats?.length, 156.49);
  });

  it('exports again as a later version: a new instance in the same series that names its predecessor', async () => {
    const response = await postExport(consultationId, users.expert);
    assert.equal(response.status, 201);
    const second = (await response.json()) as typeof first;
    assert.equal(second.state, 'DONE');
    assert.equal(second.seriesInstanceUid, first.seriesInstanceUid);
    assert.notEqual(second.sopInstanceUid, first.sopInstanceUid);
    assert.equal(second.annotationCount, 6);

    const db = server.node.db;
    const rows = await db.instance.findMany({ where: { series: { seriesInstanceUid: first.seriesInstanceUid } }, orderBy: { instanceNumber: 'asc' }, select: { sopInstanceUid: true, instanceNumber: true, metadata: true } });
    assert.deepEqual(rows.map((row) => [row.sopInstanceUid, row.instanceNumber]), [[first.sopInstanceUid, 1], [second.sopInstanceUid, 2]]);
    const predecessor = JSON.parse(rows[1].metadata)['0040A360'].Value[0]['00081115'].Value[0]['00081199'].Value[0]['00081155'].Value[0];
    assert.equal(predecessor, first.sopInstanceUid);
    const exports = await db.consultationExport.findMany({ where: { consultationId }, orderBy: { createdAt: 'asc' } });
    assert.deepEqual(exports.map((row) => row.exportedById), [admin.userId, users.expert]);
    assert.equal(await db.auditEvent.count({ where: { action: 'consult.export', studyUid: study.studyInstanceUid } }), 2);
  });

  it('answers 404 to an outsider, as for an unknown session; 403 to a guest; 401 without a session', async () => {
    const outsider = await postExport(consultationId, users.outsider);
    assert.equal(outsider.status, 404);
    assert.deepEqual(await outsider.json(), { error: 'NOT_FOUND', message: 'Not found.' });
    assert.equal((await postExport('c0000000000000000000000000', users.expert)).status, 404);
    await assert.rejects(
      exportConsultationSr({ db: server.node.db, archive: server.node.archive }, { userId: users.outsider, email: 'outsider@valley.example', ip: '' }, consultationId),
      (error: unknown) => isPolicyError(error) && error.code === 'NOT_FOUND',
    );

    const guest = await postExport(consultationId, users.guest);
    assert.equal(guest.status, 403);
    assert.match(((await guest.json()) as { message: string }).message, /guests cannot export/i);
    assert.equal((await postExport(consultationId)).status, 401);
    assert.equal(await server.node.db.consultationExport.count({ where: { consultationId } }), 2, 'nothing exported by the refused calls');
  });

  it('says there is nothing to export when a session has no annotations', async () => {
    await assert.rejects(
      exportConsultationSr({ db: server.node.db, archive: server.node.archive }, admin, emptyConsultationId),
      (error: unknown) => isAdminError(error) && error.code === 'CONFLICT' && /^No annotations to export/.test(error.message),
    );
    const response = await postExport(emptyConsultationId, users.expert);
    assert.equal(response.status, 409);
    assert.match(((await response.json()) as { message: string }).message, /^No annotations to export/);
  });
  it('answers PENDING when the archive cannot store the report yet, and stores it once on a later attempt', async () => {
    const db = server.node.db;
    const archive = server.node.archive;
    // The archive's disk fails once (as a full disk would), then recovers
    const ingest = archive.ingest.bind(archive);
    let failures = 0;
    archive.ingest = (async (...args: Parameters<typeof ingest>) => {
      if (failures++ === 0) throw new Error('ENOSPC: no space left on device');
      return ingest(...args);
    }) as typeof archive.ingest;
    try {
      const pending = await exportConsultationSr({ db, archive, waitMs: 500 }, admin, consultationId);
      assert.equal(pending.state, 'PENDING');
      assert.equal(await db.instance.count({ where: { sopInstanceUid: pending.sopInstanceUid } }), 0);
      const row = await db.consultationExport.findUniqueOrThrow({ where: { id: pending.exportId } });
      assert.equal(row.state, 'PENDING', 'the export is promised, not done');
      const job = await db.job.findUniqueOrThrow({ where: { type_key: { type: 'consult.export-sr', key: pending.exportId } } });
      assert.equal(job.lastError, 'ENOSPC: no space left on device');

      // The retry comes after the first backoff (5 s)
      assert.equal((await waitForJob(db, job.id, 20_000)).state, 'DONE');
      assert.equal(await db.instance.count({ where: { sopInstanceUid: pending.sopInstanceUid } }), 1);
      assert.equal((await db.consultationExport.findUniqueOrThrow({ where: { id: pending.exportId } })).state, 'DONE');
      const audits = await db.auditEvent.findMany({ where: { action: 'consult.export', studyUid: study.studyInstanceUid } });
      assert.equal(audits.filter((audit) => JSON.parse(audit.details).sopInstanceUid === pending.sopInstanceUid).length, 1);
    } finally {
      archive.ingest = ingest;
    }
  });
});
