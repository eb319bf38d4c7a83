// A case's attachments (issue 15), with real parts: a running node (SQLite or
// PostgreSQL, TEST_DATABASE=postgres) with its job runner, a real CT study in
// the archive, a case on it (rows written directly: the case operations are
// not this test's), a PDF made by pdfkit and pictures made by sharp. Checked
// as others see it: QIDO-RS lists the new series and instances in the study,
// dicom3tools' dciodvfy finds no error in them, DCMTK's dcm2pdf takes out the
// very PDF that was sent, the pixels are the picture's; what is not a PDF,
// JPEG or PNG, an empty file and one over 20 MB are refused; a job run again
// stores nothing twice.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import dcmjs from 'dcmjs';
import sharp from 'sharp';
import { isDomainError } from '../../lib/errors';
import { waitForJob } from '../../lib/jobs/job-signals';
import { createUser } from '../../lib/policy/test-fixtures';
import { ATTACHMENT_SERIES_DESCRIPTION, archiveAttachmentJob, archiveReferralAttachment } from '../../lib/referrals/attachments/archive-attachment-job';
import { MAX_ATTACHMENT_BYTES } from '../../lib/referrals/attachments/attachment-files';
import { listReferralAttachments } from '../../lib/referrals/attachments/list-attachments';
import { readReferralAttachmentBytes } from '../../lib/referrals/attachments/read-attachment';
import { ARCHIVE_ATTACHMENT_JOB, saveReferralAttachment, type SaveReferralAttachmentInput } from '../../lib/referrals/attachments/save-attachment';
import { ENCAPSULATED_PDF_SOP_CLASS } from '../../pacs-core/dicom/report/encapsulated-pdf';
import { SECONDARY_CAPTURE_SOP_CLASS } from '../../pacs-core/dicom/report/secondary-capture';
import { silentLogger } from '../../pacs-core/logger';
import { createDicomwebClient } from '../support/dicomweb-client';
import { makeStudy } from '../support/fixtures';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from '../support/test-server';
import { makePdf } from '../support/pdf';

const study = makeStudy({ patientId: 'SO-1', patientName: 'Ødegård^Åse', specificCharacterSet: 'ISO_IR 192', accessionNumber: 'ACC-SO-1', seed: 'referral-attachments', series: 1, instancesPerSeries: 2, modality: 'CT' });

// Under CI the tools are installed by .ci/run, so nothing may be skipped there.
const missing = ['dciodvfy', 'dcm2pdf'].filter((tool) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).error !== undefined);
const noTools = missing.length && !process.env.CI ? `not installed: ${missing.join(', ')} (apt-get install -y dicom3tools dcmtk)` : undefined;

type Json = Record<string, { Value?: unknown[] }>;
const value = (item: Json, tag: string) => item[tag]?.Value?.[0];


/** A 241×157 picture (odd sizes: the pixel data has an odd length and is padded) with a gradient and a red block */
async function picture(): Promise<sharp.Sharp> {
  const [width, height] = [241, 157];
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 3;
      const block = x > 40 && x < 120 && y > 30 && y < 90;
      raw[at] = block ? 220 : x;
      raw[at + 1] = block ? 20 : y;
      raw[at + 2] = block ? 30 : (x + y) % 256;
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } });
}

describe('a case\'s attachments: kept as sent, filed into the primary study', { skip: noTools }, () => {
  let server: TestServer;
  let tempDir: string;
  let facilityId: string;
  let uploaderId: string;
  let referralId: string;
  let otherReferralId: string;
  let pdf: Buffer;
  const context = () => ({ db: server.node.db, archive: server.node.archive, logger: silentLogger });
  const input = (fields: Partial<SaveReferralAttachmentInput> & { bytes: Buffer }): SaveReferralAttachmentInput => ({ referralId, uploadedById: uploaderId, fileName: 'file', ...fields });

  async function saveAndArchive(fields: Partial<SaveReferralAttachmentInput> & { bytes: Buffer }) {
    const view = await saveReferralAttachment(context(), null, input(fields));
    const job = await server.node.db.job.findUniqueOrThrow({ where: { type_key: { type: ARCHIVE_ATTACHMENT_JOB, key: view.id } }, select: { id: true, facilityId: true } });
    assert.equal(job.facilityId, facilityId, 'the job is the requesting facility\'s (its admins see it fail)');
    const outcome = await waitForJob(server.node.db, job.id, 30_000);
    assert.equal(outcome.state, 'DONE', outcome.lastError ?? '');
    const row = await server.node.db.referralAttachment.findUniqueOrThrow({ where: { id: view.id } });
    return { view, row };
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
  function qido() {
    return createDicomwebClient(server.dicomwebUrl, server.adminAuthorization);
  }
  async function refused(fields: Partial<SaveReferralAttachmentInput> & { bytes: Buffer }, code: string, message: RegExp) {
    const before = await server.node.db.referralAttachment.count();
    await assert.rejects(saveReferralAttachment(context(), null, input(fields)), (error) => {
      assert.ok(isDomainError(error), String(error));
      assert.equal(error.code, code);
      assert.match(error.userMessage, message);
      assert.match(error.fields?.file ?? '', message, 'the form shows it at the file field');
      return true;
    });
    assert.equal(await server.node.db.referralAttachment.count(), before, 'no row');
  }

  before(async () => {
    server = await startTestServer();
    tempDir = mkdtempSync(path.join(tmpdir(), 'telepacs-referral-attachments-'));
    const db = server.node.db;
    const adminId = (await db.user.findUniqueOrThrow({ where: { email: TEST_ADMIN_EMAIL } })).id;
    facilityId = (await db.membership.findFirstOrThrow({ where: { userId: adminId } })).facilityId;
    uploaderId = (await createUser(db, { email: 'doctor@district.example', memberships: [{ facilityId, role: 'EXPERT' }] })).id;
    for (const file of study) await server.node.archive.ingest(file, { kind: 'import', source: 'referral-attachments-test' }, facilityId);
    const row = await db.study.findUniqueOrThrow({ where: { facilityId_studyInstanceUid: { facilityId, studyInstanceUid: study.studyInstanceUid } }, select: { id: true, patientRef: true } });
    const makeCase = (question: string) =>
      db.referral.create({
        data: {
          facilityId,
          patientRef: row.patientRef,
          patientId: 'SO-1',
          patientName: 'Ødegård^Åse',
          requesterId: uploaderId,
          question,
          targetFacilityId: facilityId,
          studies: { create: { studyRef: row.id, studyFacilityId: facilityId, studyInstanceUid: study.studyInstanceUid, primary: true } },
        },
        select: { id: true },
      });
    referralId = (await makeCase('Lesion in the right lower lobe: malignant?')).id;
    otherReferralId = (await makeCase('Another question')).id;
    pdf = await makePdf('Dear colleague, please give a second opinion on this CT. — Dr Ødegård', 'Referral letter');
  });
  after(async () => {
    await server?.stop();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  });

  it('keeps a PDF as sent and files it into the primary study as an Encapsulated PDF that dciodvfy accepts and dcm2pdf gives back', async () => {
    const { view, row } = await saveAndArchive({ fileName: 'C:\\fakepath\\Referral letter.pdf', declaredContentType: 'application/octet-stream', bytes: pdf });
    assert.deepEqual({ ...view, createdAt: undefined, id: undefined }, { id: undefined, createdAt: undefined, fileName: 'Referral letter.pdf', contentType: 'application/pdf', size: pdf.length, archived: false });
    assert.equal(row.studyInstanceUid, study.studyInstanceUid);
    assert.ok(row.seriesInstanceUid && row.sopInstanceUid);
    assert.deepEqual(await listReferralAttachments(context(), referralId).then((list) => list.map((item) => [item.id, item.archived, item.messageId])), [[view.id, true, null]]);

    // As sent, from the blob store
    const file = await readReferralAttachmentBytes(context(), view.id, { referralId });
    assert.deepEqual({ ...file, bytes: file.bytes.equals(pdf) }, { fileName: 'Referral letter.pdf', contentType: 'application/pdf', bytes: true });

    // QIDO: the study has a DOC series with the instance
    const series = (await qido().searchForSeries({ studyInstanceUID: study.studyInstanceUid })) as Json[];
    const doc = series.find((item) => value(item, '0020000E') === row.seriesInstanceUid);
    assert.ok(doc, 'QIDO lists the attachments series');
    assert.equal(value(doc, '00080060'), 'DOC');
    assert.equal(value(doc, '0008103E'), ATTACHMENT_SERIES_DESCRIPTION.pdf);
    assert.equal(Number(value(doc, '00200011')), 2, 'numbered after the study\'s CT series');
    const instances = (await qido().searchForInstances({ studyInstanceUID: study.studyInstanceUid, seriesInstanceUID: row.seriesInstanceUid! })) as Json[];
    assert.deepEqual(instances.map((item) => [value(item, '00080018'), value(item, '00080016')]), [[row.sopInstanceUid, ENCAPSULATED_PDF_SOP_CLASS]]);

    // Judged by others: dicom3tools and DCMTK
    const dicomFile = await storedFile(row.sopInstanceUid!);
    assert.deepEqual(dciodvfyErrors(dicomFile, 'EncapsulatedPDF'), []);
    const extracted = path.join(tempDir, 'extracted.pdf');
    const dcm2pdf = spawnSync('dcm2pdf', [dicomFile, extracted], { encoding: 'utf8' });
    assert.equal(dcm2pdf.status, 0, dcm2pdf.stderr);
    assert.ok(readFileSync(extracted).equals(pdf), 'dcm2pdf takes out the very PDF that was sent');
    const dump = spawnSync('dcmdump', ['+P', '0042,0010', '+P', '0010,0010', '+P', '0010,0020', '+P', '0008,0050', dicomFile], { encoding: 'utf8' }).stdout;
    assert.match(dump, /\[Referral letter\.pdf\]/, 'DocumentTitle is the file name');
    assert.match(dump, /\[Ødegård\^Åse\]/, 'the patient of the study');
    assert.match(dump, /\[SO-1\]/);
    assert.match(dump, /\[ACC-SO-1\]/, 'the study\'s accession number');
  });

  it('files a PNG and a JPEG as Secondary Capture images, both in the case\'s one image series, with the picture\'s pixels', async () => {
    const png = await (await picture()).png().toBuffer();
    const jpeg = await (await picture()).jpeg({ quality: 90 }).toBuffer();
    const first = await saveAndArchive({ fileName: 'lab results.png', bytes: png });
    const second = await saveAndArchive({ fileName: 'photo.jpg', bytes: jpeg });
    assert.equal(first.view.contentType, 'image/png');
    assert.equal(second.view.contentType, 'image/jpeg');
    assert.ok(first.row.seriesInstanceUid);
    assert.equal(second.row.seriesInstanceUid, first.row.seriesInstanceUid, 'one series for the case\'s images');
    assert.equal(first.row.studyInstanceUid, study.studyInstanceUid);

    const series = (await qido().searchForSeries({ studyInstanceUID: study.studyInstanceUid })) as Json[];
    const images = series.find((item) => value(item, '0020000E') === first.row.seriesInstanceUid);
    assert.ok(images);
    assert.equal(value(images, '00080060'), 'OT');
    assert.equal(value(images, '0008103E'), ATTACHMENT_SERIES_DESCRIPTION.image);
    assert.equal(Number(value(images, '00200011')), 3);
    const instances = (await qido().searchForInstances({ studyInstanceUID: study.studyInstanceUid, seriesInstanceUID: first.row.seriesInstanceUid!, queryParams: { includefield: '00200013' } })) as Json[];
    const bySop = new Map(instances.map((item) => [value(item, '00080018'), [value(item, '00080016'), Number(value(item, '00200013'))]]));
    assert.deepEqual(bySop.get(first.row.sopInstanceUid), [SECONDARY_CAPTURE_SOP_CLASS, 1]);
    assert.deepEqual(bySop.get(second.row.sopInstanceUid), [SECONDARY_CAPTURE_SOP_CLASS, 2]);

    for (const { row, bytes, lossy } of [
      { row: first.row, bytes: png, lossy: '00' },
      { row: second.row, bytes: jpeg, lossy: '01' },
    ]) {
      const dicomFile = await storedFile(row.sopInstanceUid!);
      assert.deepEqual(dciodvfyErrors(dicomFile, 'SCImage'), []);
      const stored = readFileSync(dicomFile);
      const dataset = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dcmjs.data.DicomMessage.readFile(stored.buffer.slice(stored.byteOffset, stored.byteOffset + stored.byteLength) as ArrayBuffer).dict) as Record<string, unknown>;
      assert.deepEqual([dataset.Rows, dataset.Columns, dataset.PhotometricInterpretation, dataset.SamplesPerPixel, dataset.PlanarConfiguration, dataset.LossyImageCompression], [157, 241, 'RGB', 3, 0, lossy]);
      assert.equal(dataset.PatientID, 'SO-1');
      const { data } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
      const pixels = Buffer.from((dataset.PixelData as ArrayBuffer[])[0]);
      assert.equal(pixels.length, data.length + 1, 'padded to an even length');
      assert.ok(pixels.subarray(0, data.length).equals(data), 'the pixels are the picture\'s');
    }
  });

  it('refuses what is not a PDF, JPEG or PNG (by its first bytes, whatever its name), an empty file, a file over 20 MB, an image that does not decode', async () => {
    const notAType = /Attach a PDF, JPEG or PNG file/;
    await refused({ fileName: 'notes.txt', bytes: Buffer.from('Patient history: nothing relevant.\n') }, 'INVALID_INPUT', notAType);
    await refused({ fileName: 'letter.pdf', declaredContentType: 'application/pdf', bytes: Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), Buffer.alloc(512)]) }, 'INVALID_INPUT', notAType);
    await refused({ fileName: 'empty.pdf', bytes: Buffer.alloc(0) }, 'INVALID_INPUT', /empty/);
    const huge = Buffer.alloc(MAX_ATTACHMENT_BYTES + 1, 0x20);
    pdf.copy(huge);
    await refused({ fileName: 'scan.pdf', bytes: huge }, 'PAYLOAD_TOO_LARGE', /larger than 20 MB/);
    const fakePng = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(300, 7)]);
    await refused({ fileName: 'broken.png', bytes: fakePng }, 'INVALID_INPUT', /cannot be read/);
    // Exactly the limit is accepted
    const limit = Buffer.alloc(MAX_ATTACHMENT_BYTES, 0x20);
    pdf.copy(limit);
    const saved = await saveReferralAttachment(context(), null, input({ fileName: 'scan.pdf', bytes: limit }));
    assert.equal(saved.size, MAX_ATTACHMENT_BYTES);
    await waitForJob(server.node.db, (await server.node.db.job.findUniqueOrThrow({ where: { type_key: { type: ARCHIVE_ATTACHMENT_JOB, key: saved.id } } })).id, 30_000);
  });

  it('cuts a long file name to 200 characters, its extension kept', async () => {
    const view = await saveReferralAttachment(context(), null, input({ fileName: `../../${'Å'.repeat(300)}\u0000.pdf`, bytes: pdf }));
    assert.equal([...view.fileName].length, 200);
    assert.ok(view.fileName.endsWith('Å.pdf'));
  });

  it('stores one instance when the job runs again, after it was marked or after a crash before the mark', async () => {
    const { row } = await saveAndArchive({ fileName: 'again.pdf', bytes: await makePdf('Lab results: CRP 4 mg/L', 'Referral letter') });
    const count = () => server.node.db.instance.count({ where: { sopInstanceUid: row.sopInstanceUid! } });
    assert.equal(await count(), 1);
    await archiveAttachmentJob.handle({ attachmentId: row.id }, { ...context(), job: { id: 'again', key: row.id, attempts: 2, maxAttempts: 10, facilityId } });
    assert.equal(await archiveReferralAttachment(context(), row.id), 'already-marked');
    // A crash after the archive stored it and before the row was marked: the next attempt finds it and only marks
    await server.node.db.referralAttachment.update({ where: { id: row.id }, data: { sopInstanceUid: null, seriesInstanceUid: null, studyInstanceUid: null } });
    assert.equal(await archiveReferralAttachment(context(), row.id), 'already-stored');
    assert.equal(await count(), 1);
    const marked = await server.node.db.referralAttachment.findUniqueOrThrow({ where: { id: row.id } });
    assert.deepEqual([marked.sopInstanceUid, marked.seriesInstanceUid, marked.studyInstanceUid], [row.sopInstanceUid, row.seriesInstanceUid, row.studyInstanceUid]);
  });

  it('scales a picture larger than 4096 pixels a side down to fit, and says so', async () => {
    const wide = await sharp({ create: { width: 5000, height: 40, channels: 4, background: { r: 0, g: 0, b: 255, alpha: 0.5 } } }).png().toBuffer();
    const { row } = await saveAndArchive({ fileName: 'wide.png', bytes: wide });
    const stored = readFileSync(await storedFile(row.sopInstanceUid!));
    const dataset = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dcmjs.data.DicomMessage.readFile(stored.buffer.slice(stored.byteOffset, stored.byteOffset + stored.byteLength) as ArrayBuffer).dict) as Record<string, unknown>;
    assert.equal(dataset.Columns, 4096);
    assert.equal(dataset.Rows, 33);
    assert.match(String(dataset.DerivationDescription), /scaled down to fit 4096×4096/);
    // Half-transparent blue laid on white
    assert.deepEqual([...Buffer.from((dataset.PixelData as ArrayBuffer[])[0]).subarray(0, 3)].map((sample) => Math.round(sample / 8)), [16, 16, 32]);
    const file = await readReferralAttachmentBytes(context(), row.id, { referralId });
    assert.ok(file.bytes.equals(wide), 'the file as sent is kept whole');
  });

  it('adds attachments inside the caller\'s transaction: a case created with its files, or neither when it rolls back', async () => {
    const db = server.node.db;
    const primary = await db.referralStudy.findFirstOrThrow({ where: { referralId, primary: true } });
    const create = (question: string) =>
      db.$transaction(async (tx) => {
        const created = await tx.referral.create({
          data: { facilityId, requesterId: uploaderId, question, targetFacilityId: facilityId, studies: { create: { studyRef: primary.studyRef, studyFacilityId: facilityId, studyInstanceUid: study.studyInstanceUid, primary: true } } },
          select: { id: true },
        });
        const view = await saveReferralAttachment(context(), tx, { referralId: created.id, uploadedById: uploaderId, fileName: 'letter.pdf', bytes: pdf });
        if (question === 'roll back') throw new Error('rolled back');
        return { referralId: created.id, attachmentId: view.id };
      });
    const jobs = await db.job.count({ where: { type: ARCHIVE_ATTACHMENT_JOB } });
    await assert.rejects(create('roll back'), /rolled back/);
    assert.equal(await db.job.count({ where: { type: ARCHIVE_ATTACHMENT_JOB } }), jobs, 'no job for a rolled-back attachment');

    const committed = await create('committed with its letter');
    const job = await db.job.findUniqueOrThrow({ where: { type_key: { type: ARCHIVE_ATTACHMENT_JOB, key: committed.attachmentId } } });
    assert.equal((await waitForJob(db, job.id, 30_000)).state, 'DONE');
    const row = await db.referralAttachment.findUniqueOrThrow({ where: { id: committed.attachmentId } });
    assert.equal(row.studyInstanceUid, study.studyInstanceUid);
    const first = await db.referralAttachment.findFirstOrThrow({ where: { referralId, contentType: 'application/pdf', sopInstanceUid: { not: null } } });
    assert.notEqual(row.seriesInstanceUid, first.seriesInstanceUid, 'each case has its own attachments series');

    // A message of another case is not this case's
    const message = await db.referralMessage.create({ data: { referralId: otherReferralId, authorId: uploaderId, body: 'See attached' } });
    await assert.rejects(saveReferralAttachment(context(), null, input({ fileName: 'x.pdf', bytes: pdf, messageId: message.id })), (error) => isDomainError(error) && error.code === 'NOT_FOUND');
  });

  it('waits (retried) for a case without a primary study; gives up quietly on a study deleted since', async () => {
    const db = server.node.db;
    const bare = await db.referral.create({ data: { facilityId, requesterId: uploaderId, question: 'no study yet', targetFacilityId: facilityId }, select: { id: true } });
    const view = await saveReferralAttachment(context(), null, { referralId: bare.id, uploadedById: uploaderId, fileName: 'x.pdf', bytes: pdf });
    await assert.rejects(archiveReferralAttachment(context(), view.id), /has no primary study yet/);
    // A primary study that is not (any more) in the archive
    await db.referralStudy.create({ data: { referralId: bare.id, studyFacilityId: facilityId, studyInstanceUid: '1.2.826.0.1.999.1', primary: true } });
    assert.equal(await archiveReferralAttachment(context(), view.id), 'study-gone');
    assert.equal((await db.referralAttachment.findUniqueOrThrow({ where: { id: view.id } })).sopInstanceUid, null);
  });

  it('gives an attachment only with its own case: another case\'s id is NOT_FOUND', async () => {
    const view = await saveReferralAttachment(context(), null, input({ fileName: 'x.pdf', bytes: pdf }));
    await assert.rejects(readReferralAttachmentBytes(context(), view.id, { referralId: otherReferralId }), (error) => isDomainError(error) && error.code === 'NOT_FOUND');
    await assert.rejects(readReferralAttachmentBytes(context(), 'no-such-attachment', { referralId }), (error) => isDomainError(error) && error.code === 'NOT_FOUND');
  });
});
