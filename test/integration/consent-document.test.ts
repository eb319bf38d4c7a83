// A consent's evidence document (issue 16), with real parts: a running node
// (SQLite or PostgreSQL, TEST_DATABASE=postgres) with its job runner, a real
// CT study of the patient in the archive, signatures drawn as a canvas would
// (PNG by sharp), scans made by pdfkit and sharp. Checked as others see it:
// poppler's pdftotext reads the words a patient would see in each kind of
// document, pdfimages finds the signature and the scan in them; the
// consent.archive job files an Encapsulated PDF into the patient's record
// that QIDO-RS and DCMTK's findscu find by PatientID, dicom3tools' dciodvfy
// accepts and DCMTK's dcm2pdf gives back byte for byte; a blank or unreadable
// signature and a scan that is not a PDF or JPEG are refused at their form
// field with nothing stored; the job run again stores one instance. Consent
// rows are written directly: recording a consent (lib/consent/record-consent.ts)
// is not this test's.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { ARCHIVE_CONSENT_JOB, prepareConsentDocument, type ConsentDocumentFacts } from '../../lib/consent/document/prepare-consent-document';
import { archiveConsentDocument, archiveConsentJob, CONSENT_STUDY_DESCRIPTION, consentDocumentUids, enqueueConsentArchive } from '../../lib/consent/document/archive-consent-job';
import { SCAN_MESSAGES, SIGNATURE_MESSAGES } from '../../lib/consent/document/check-consent-evidence';
import { readConsentDocument } from '../../lib/consent/document/read-consent-document';
import { isDomainError } from '../../lib/errors';
import { waitForJob, wakeJobRunners } from '../../lib/jobs/job-signals';
import { deleteStudy } from '../../pacs-core/delete-study';
import { ENCAPSULATED_PDF_SOP_CLASS } from '../../pacs-core/dicom/report/encapsulated-pdf';
import { silentLogger } from '../../pacs-core/logger';
import { findscu } from '../support/dcmtk';
import { createDicomwebClient } from '../support/dicomweb-client';
import { makeStudy } from '../support/fixtures';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from '../support/test-server';
import { makePdf } from '../support/pdf';
import { referralFormChoices } from '../../lib/referrals/referral-form-choices';

const study = makeStudy({ patientId: 'CN-1', issuerOfPatientId: 'NORD', patientName: 'Ødegård^Åse', patientBirthDate: '19580314', patientSex: 'F', specificCharacterSet: 'ISO_IR 192', seed: 'consent-document', series: 1, instancesPerSeries: 1, modality: 'CT' });

// Under CI the tools are installed by .ci/run, so nothing may be skipped there.
const missing = ['dciodvfy', 'dcm2pdf', 'pdftotext', 'pdfimages'].filter((tool) => spawnSync(tool, ['-v'], { stdio: 'ignore' }).error !== undefined);
const noTools = missing.length && !process.env.CI ? `not installed: ${missing.join(', ')} (apt-get install -y dicom3tools dcmtk poppler-utils)` : undefined;

type Json = Record<string, { Value?: unknown[] }>;
const value = (item: Json, tag: string) => item[tag]?.Value?.[0];

const FORM_BODY =
  'I agree that my medical images and their reports may be shared with the recipients named above, for the purposes named above, during the period named above.\n\n' +
  'I can withdraw this consent at any time by telling the staff of this hospital.';

/** A stroke drawn on a transparent canvas, as the signing screen's canvas.toBlob('image/png') gives it */
function drawnSignature(format: 'png' | 'jpeg' = 'png'): Promise<Buffer> {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="600" height="200"><path d="M20 150 C 60 20, 110 20, 130 140 S 190 60, 230 120 S 300 160, 340 80 L 380 140 C 420 60, 470 170, 560 90" stroke="#1a237e" stroke-width="4" fill="none"/></svg>';
  const image = sharp(Buffer.from(svg));
  return format === 'png' ? image.png().toBuffer() : image.flatten({ background: '#ffffff' }).jpeg().toBuffer();
}

function canvas(background: { r: number; g: number; b: number; alpha: number }): Promise<Buffer> {
  return sharp({ create: { width: 600, height: 200, channels: 4, background } }).png().toBuffer();
}


/** A photographed paper form: a page-like picture, taller than wide, with a dark block where the signature is */
function scannedJpeg(): Promise<Buffer> {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="620" height="877"><rect width="620" height="877" fill="#f8f8f4"/><rect x="60" y="700" width="240" height="60" fill="#202060"/></svg>';
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
}

describe('a consent\'s evidence document: rendered or kept as one PDF, filed into the patient\'s record', { skip: noTools }, () => {
  let server: TestServer;
  let tempDir: string;
  let facilityId: string;
  let patientRef: string;
  let consentNumber = 0;
  const context = () => ({ db: server.node.db, archive: server.node.archive, logger: silentLogger });

  function facts(overrides: Partial<ConsentDocumentFacts> = {}): ConsentDocumentFacts {
    return {
      evidence: 'SIGNED',
      decision: 'PERMIT',
      patient: { name: 'Ødegård^Åse', patientId: 'CN-1', birthDate: '19580314', sex: 'F' },
      facility: { name: 'District Hospital Nord', address: 'Storgata 1, 9000 Tromsø' },
      recipientWords: 'Cardiology, Regional Hospital',
      purposeWords: 'second opinion, teleconsultation',
      dataWords: 'all imaging',
      validFrom: new Date('2026-12-07T00:00:00Z'),
      validUntil: new Date('2027-12-06T00:00:00Z'),
      form: { title: 'Consent to share medical images', body: FORM_BODY, version: 3, language: 'nb' },
      signaturePng: null,
      signerRole: 'PATIENT',
      signerName: '',
      representativeRelation: '',
      witnessName: 'Kari Nilsen',
      note: '',
      recordedBy: { name: 'Dr Hans Müller', email: 'mueller@district.example' },
      recordedAt: new Date('2026-12-07T09:14:00Z'),
      scan: null,
      ...overrides,
    };
  }
  const newConsentId = () => `consent-doc-test-${++consentNumber}`;

  function pdfText(pdf: Buffer): string {
    const file = path.join(tempDir, `text-${consentNumber}-${Math.random().toString(36).slice(2)}.pdf`);
    writeFileSync(file, pdf);
    const result = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    // One space between words, whatever the layout: the assertions read sentences
    return result.stdout.replace(/[ \t]+/g, ' ');
  }
  /** pdfimages -list: [type, width, height, encoding] per image */
  function pdfImages(pdf: Buffer): string[][] {
    const file = path.join(tempDir, `images-${Math.random().toString(36).slice(2)}.pdf`);
    writeFileSync(file, pdf);
    const result = spawnSync('pdfimages', ['-list', file], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    return result.stdout.split('\n').slice(2).filter(Boolean).map((line) => line.trim().split(/\s+/)).map((columns) => [columns[2], columns[3], columns[4], columns[8]]);
  }
  function pageCount(pdf: Buffer): number {
    const file = path.join(tempDir, `info-${Math.random().toString(36).slice(2)}.pdf`);
    writeFileSync(file, pdf);
    return Number(/Pages:\s+(\d+)/.exec(spawnSync('pdfinfo', [file], { encoding: 'utf8' }).stdout)?.[1]);
  }

  /** Prepares the document and writes a consent row resting on it, as record-consent.ts does */
  async function consentWithDocument(documentFacts: ConsentDocumentFacts) {
    const id = newConsentId();
    const prepared = await prepareConsentDocument(context(), id, documentFacts);
    assert.ok(prepared);
    await server.node.db.$transaction(async (tx) => {
      await tx.consent.create({
        data: {
          id,
          patientRef,
          facilityId,
          decision: documentFacts.decision,
          recipientKind: 'REGION',
          purposes: JSON.stringify(['SECOND_OPINION']),
          validFrom: documentFacts.validFrom,
          validUntil: documentFacts.validUntil,
          evidenceKind: documentFacts.evidence,
          witnessName: documentFacts.witnessName,
          documentKey: prepared.key,
          documentSha256: prepared.sha256,
          recordedAt: documentFacts.recordedAt,
        },
      });
      await enqueueConsentArchive(tx, id);
    });
    wakeJobRunners();
    return { id, prepared };
  }

  async function refused(documentFacts: ConsentDocumentFacts, field: 'signature' | 'scan', message: string, code = 'INVALID_INPUT') {
    const id = newConsentId();
    await assert.rejects(prepareConsentDocument(context(), id, documentFacts), (error) => {
      assert.ok(isDomainError(error), String(error));
      assert.equal(error.code, code);
      assert.equal(error.userMessage, message);
      assert.deepEqual(error.fields, { [field]: message }, 'the form shows it at its field');
      return true;
    });
    assert.equal(await server.node.archive.store.exists(`consents/${id}.pdf`), false, 'nothing stored');
  }

  let adminId = '';
  before(async () => {
    server = await startTestServer();
    tempDir = mkdtempSync(path.join(tmpdir(), 'telepacs-consent-document-'));
    const db = server.node.db;
    adminId = (await db.user.findUniqueOrThrow({ where: { email: TEST_ADMIN_EMAIL } })).id;
    facilityId = (await db.membership.findFirstOrThrow({ where: { userId: adminId } })).facilityId;
    for (const file of study) await server.node.archive.ingest(file, { kind: 'import', source: 'consent-document-test' }, facilityId);
    patientRef = (await db.study.findUniqueOrThrow({ where: { facilityId_studyInstanceUid: { facilityId, studyInstanceUid: study.studyInstanceUid } }, select: { patientRef: true } })).patientRef;
  });
  after(async () => {
    await server?.stop();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  });

  it('renders a consent signed on screen by a representative: the form, the patient, the decision, the signature, the witness, who recorded it', async () => {
    const signaturePng = await drawnSignature();
    const id = newConsentId();
    const prepared = await prepareConsentDocument(context(), id, facts({ signaturePng, signerRole: 'REPRESENTATIVE', signerName: 'Ola Ødegård', representativeRelation: 'son' }));
    assert.ok(prepared);
    assert.equal(prepared.key, `consents/${id}.pdf`);
    const pdf = await server.node.archive.store.get(prepared.key);
    assert.equal(pdf.length, prepared.size);
    const text = pdfText(pdf);
    for (const words of [
      'District Hospital Nord',
      'Storgata 1, 9000 Tromsø',
      'Consent to share medical images',
      'Consent form version 3 · Norwegian Bokmål (nb)',
      'Ødegård, Åse',
      'CN-1',
      '1958-03-14',
      'Female',
      'PERMIT — the images may be shared as described',
      'Shared with Cardiology, Regional Hospital',
      'Purposes second opinion, teleconsultation',
      'Data all imaging',
      'Valid from 2026-12-07 to 2027-12-06',
      'I can withdraw this consent at any time by telling the staff of this hospital.',
      'Signature of the representative',
      'Ola Ødegård, representative (son) of the patient',
      'Kari Nilsen',
      'Signed on screen on 2026-12-07 09:14 UTC',
      'Recorded in Telepacs by Dr Hans Müller (mueller@district.example) on 2026-12-07 09:14 UTC.',
      `consent ${id}`,
      'Page 1 of 1',
    ]) {
      assert.ok(text.includes(words), `the PDF says "${words}":\n${text}`);
    }
    const images = pdfImages(pdf);
    assert.deepEqual(images.map(([type, width, height]) => [type, width, height]), [['image', '600', '200']], 'the signature as drawn, at its own size');
  });

  it('signed by the patient, without an end date: the patient\'s name under the signature, "until revoked"', async () => {
    const prepared = await prepareConsentDocument(context(), newConsentId(), facts({ signaturePng: await drawnSignature(), validUntil: null, decision: 'DENY' }));
    const text = pdfText(await server.node.archive.store.get(prepared!.key));
    assert.ok(text.includes('Signature of the patient'), text);
    assert.ok(text.includes('Ødegård, Åse (the patient)'), text);
    assert.ok(text.includes('Valid from 2026-12-07 until revoked'), text);
    assert.ok(text.includes('DENY — the images may not be shared as described'), text);
  });

  it('records a verbal consent: who recorded it, the witness, the note, the same facts', async () => {
    const prepared = await prepareConsentDocument(context(), newConsentId(), facts({ evidence: 'VERBAL', form: null, note: 'Asked twice; the patient agrees, her hands are in plaster.' }));
    const pdf = await server.node.archive.store.get(prepared!.key);
    const text = pdfText(pdf).replace(/\s+/g, ' ');
    for (const words of [
      'Record of verbal consent',
      'Verbal consent recorded by Dr Hans Müller (mueller@district.example) on 2026-12-07 09:14 UTC, witnessed by Kari Nilsen.',
      'Given by Ødegård, Åse (the patient).',
      'Asked twice; the patient agrees, her hands are in plaster.',
      'Shared with Cardiology, Regional Hospital',
      'Valid from 2026-12-07 to 2027-12-06',
    ]) {
      assert.ok(text.includes(words), `the PDF says "${words}":\n${text}`);
    }
    assert.equal(pageCount(pdf), 1);
    assert.deepEqual(pdfImages(pdf), [], 'no signature on a verbal record');
  });

  it('keeps a scanned PDF byte for byte and wraps a scanned JPEG, unchanged, in a one-page PDF', async () => {
    const scannedPdf = await makePdf('Samtykke til deling av bilder. Signert: Åse Ødegård');
    const keptPdf = await prepareConsentDocument(context(), newConsentId(), facts({ evidence: 'SCANNED', form: null, scan: { bytes: scannedPdf, fileName: 'samtykke.pdf' } }));
    assert.ok((await server.node.archive.store.get(keptPdf!.key)).equals(scannedPdf), 'the PDF as uploaded');

    const jpeg = await scannedJpeg();
    const wrapped = await prepareConsentDocument(context(), newConsentId(), facts({ evidence: 'SCANNED', form: null, scan: { bytes: jpeg, fileName: 'IMG_2041.jpg' } }));
    const pdf = await server.node.archive.store.get(wrapped!.key);
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
    assert.equal(pageCount(pdf), 1);
    assert.deepEqual(pdfImages(pdf).map(([type, width, height, encoding]) => [type, width, height, encoding]), [['image', '620', '877', 'jpeg']], 'the JPEG itself, not a re-encoded copy');
    assert.ok(pdf.includes(jpeg), 'the JPEG\'s bytes are in the PDF unchanged');
    const text = pdfText(pdf).replace(/\s+/g, ' ');
    assert.ok(text.includes('Scanned consent form IMG_2041.jpg · Ødegård, Åse · ID CN-1 · uploaded by Dr Hans Müller'), text);
  });

  it('refuses a signature canvas left empty (transparent or white), a signature that is not a PNG, and a scan that is not a PDF or JPEG, at their fields, storing nothing', async () => {
    await refused(facts({ signaturePng: await canvas({ r: 0, g: 0, b: 0, alpha: 0 }) }), 'signature', SIGNATURE_MESSAGES.blank);
    await refused(facts({ signaturePng: await canvas({ r: 255, g: 255, b: 255, alpha: 1 }) }), 'signature', SIGNATURE_MESSAGES.blank);
    await refused(facts({ signaturePng: null }), 'signature', SIGNATURE_MESSAGES.missing);
    await refused(facts({ signaturePng: await drawnSignature('jpeg') }), 'signature', SIGNATURE_MESSAGES.notPng);
    const pngHeaderOnly = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(300, 7)]);
    await refused(facts({ signaturePng: pngHeaderOnly }), 'signature', SIGNATURE_MESSAGES.notPng);

    const scanned = (bytes: Buffer, fileName: string) => facts({ evidence: 'SCANNED', form: null, scan: { bytes, fileName } });
    const gif = await sharp({ create: { width: 40, height: 40, channels: 3, background: '#336699' } }).gif().toBuffer();
    assert.equal(gif.subarray(0, 6).toString('latin1'), 'GIF89a');
    await refused(scanned(gif, 'consent.pdf'), 'scan', SCAN_MESSAGES.notType);
    await refused(scanned(await drawnSignature('png'), 'consent.jpg'), 'scan', SCAN_MESSAGES.notType);
    await refused(scanned(Buffer.alloc(0), 'empty.pdf'), 'scan', SCAN_MESSAGES.missing);
    await refused(scanned(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(500, 3)]), 'broken.jpg'), 'scan', SCAN_MESSAGES.unreadable);
    const huge = Buffer.alloc(20 * 1024 * 1024 + 1, 0x20);
    Buffer.from('%PDF-1.4\n').copy(huge);
    await refused(scanned(huge, 'huge.pdf'), 'scan', SCAN_MESSAGES.tooLarge, 'PAYLOAD_TOO_LARGE');
  });

  it('files the signed consent into the patient\'s record as an Encapsulated PDF that QIDO and C-FIND find, dciodvfy accepts and dcm2pdf gives back', async () => {
    const { id, prepared } = await consentWithDocument(facts({ signaturePng: await drawnSignature() }));
    const job = await server.node.db.job.findUniqueOrThrow({ where: { type_key: { type: ARCHIVE_CONSENT_JOB, key: id } } });
    assert.equal(job.facilityId, facilityId, 'the consent\'s facility\'s admins see it if it keeps failing');
    const outcome = await waitForJob(server.node.db, job.id, 30_000);
    assert.equal(outcome.state, 'DONE', outcome.lastError ?? '');
    const uids = consentDocumentUids(id);
    const consent = await server.node.db.consent.findUniqueOrThrow({ where: { id } });
    assert.equal(consent.archivedSopInstanceUid, uids.sopInstanceUid);

    // The patient's record: the CT study and a study of its own for the consent, under the same patient row
    const qido = createDicomwebClient(server.dicomwebUrl, server.adminAuthorization);
    const studies = (await qido.searchForStudies({ queryParams: { PatientID: 'CN-1', includefield: '00081030' } })) as Json[];
    const consentStudy = studies.find((item) => value(item, '0020000D') === uids.studyInstanceUid);
    assert.ok(consentStudy, 'QIDO finds the consent in the patient\'s record');
    assert.equal(value(consentStudy, '00081030'), CONSENT_STUDY_DESCRIPTION);
    assert.ok(studies.some((item) => value(item, '0020000D') === study.studyInstanceUid));
    const row = await server.node.db.study.findUniqueOrThrow({ where: { facilityId_studyInstanceUid: { facilityId, studyInstanceUid: uids.studyInstanceUid } }, select: { patientRef: true, modalities: true } });
    assert.equal(row.patientRef, patientRef, 'filed under the consent\'s patient row, not a new one');
    assert.equal(row.modalities, '\\DOC\\');
    // The same record by C-FIND, from a workstation of the facility
    await server.node.db.dicomPeer.create({ data: { facilityId, aet: 'WARD_WS', host: '127.0.0.1', port: 104 } });
    const found = await findscu({ port: server.dicomPort, aet: 'TELEPACS' }, { callingAet: 'WARD_WS', level: 'STUDY', keys: { PatientID: 'CN-1', StudyInstanceUID: '', StudyDescription: '', ModalitiesInStudy: '' } });
    assert.equal(found.exitCode, 0, found.stderr);
    assert.deepEqual(
      found.datasets.filter((item) => item.StudyInstanceUID === uids.studyInstanceUid).map((item) => [item.StudyDescription, item.ModalitiesInStudy]),
      [[CONSENT_STUDY_DESCRIPTION, 'DOC']],
    );
    const instances = (await qido.searchForInstances({ studyInstanceUID: uids.studyInstanceUid })) as Json[];
    assert.deepEqual(instances.map((item) => [value(item, '0020000E'), value(item, '00080018'), value(item, '00080016')]), [[uids.seriesInstanceUid, uids.sopInstanceUid, ENCAPSULATED_PDF_SOP_CLASS]]);

    // Judged by others: dicom3tools and DCMTK
    const instance = await server.node.db.instance.findFirstOrThrow({ where: { sopInstanceUid: uids.sopInstanceUid }, select: { blobKey: true } });
    const dicomFile = path.join(tempDir, 'consent.dcm');
    writeFileSync(dicomFile, await server.node.archive.store.get(instance.blobKey));
    const verify = spawnSync('dciodvfy', [dicomFile], { encoding: 'utf8' });
    const lines = `${verify.stdout}\n${verify.stderr}`.split('\n');
    assert.ok(lines.includes('EncapsulatedPDF'), lines.join('\n'));
    assert.deepEqual(lines.filter((line) => line.startsWith('Error')), []);
    const extracted = path.join(tempDir, 'extracted.pdf');
    const dcm2pdf = spawnSync('dcm2pdf', [dicomFile, extracted], { encoding: 'utf8' });
    assert.equal(dcm2pdf.status, 0, dcm2pdf.stderr);
    assert.ok(readFileSync(extracted).equals(await server.node.archive.store.get(prepared.key)), 'dcm2pdf takes out the very PDF that was kept');
    const dump = spawnSync('dcmdump', ['+P', '0042,0010', '+P', '0008,0100', '+P', '0008,0104', '+P', '0010,0010', '+P', '0010,0020', '+P', '0010,0021', '+P', '0010,0030', dicomFile], { encoding: 'utf8' }).stdout;
    for (const expected of [/\[Consent to share images \(signed\)\]/, /\[59284-0\]/, /\[Consent Document\]/, /\[Ødegård\^Åse\]/, /\[CN-1\]/, /\[NORD\]/, /\[19580314\]/]) assert.match(dump, expected);

    // The download route's read: the PDF as kept
    const file = await readConsentDocument(context(), id);
    assert.ok(file.bytes.equals(await server.node.archive.store.get(prepared.key)));
    assert.equal(file.fileName, `consent-2026-12-07-${id}.pdf`);

    // Evidence, not imaging: the second-opinion form does not offer it as a prior of the CT
    const choices = await referralFormChoices({ db: server.node.db }, adminId, { studyInstanceUid: study.studyInstanceUid });
    assert.ok(choices && choices !== 'not-shareable');
    assert.deepEqual(choices.studies.map((item) => item.studyInstanceUid), [study.studyInstanceUid]);
    await assert.rejects(readConsentDocument(context(), 'no-such-consent'), (error) => isDomainError(error) && error.code === 'NOT_FOUND');
  });

  it('stores one instance when the job runs again, after it was marked or after a crash before the mark', async () => {
    const { id } = await consentWithDocument(facts({ evidence: 'VERBAL', form: null, decision: 'DENY' }));
    const job = await server.node.db.job.findUniqueOrThrow({ where: { type_key: { type: ARCHIVE_CONSENT_JOB, key: id } } });
    assert.equal((await waitForJob(server.node.db, job.id, 30_000)).state, 'DONE');
    const { sopInstanceUid } = consentDocumentUids(id);
    const count = () => server.node.db.instance.count({ where: { sopInstanceUid } });
    assert.equal(await count(), 1);
    await archiveConsentJob.handle({ consentId: id }, { ...context(), job: { id: 'again', key: id, attempts: 2, maxAttempts: 10, facilityId } });
    assert.equal(await archiveConsentDocument(context(), id), 'already-marked');
    await server.node.db.consent.update({ where: { id }, data: { archivedSopInstanceUid: null } });
    assert.equal(await archiveConsentDocument(context(), id), 'already-stored');
    assert.equal(await count(), 1);
    assert.equal((await server.node.db.consent.findUniqueOrThrow({ where: { id } })).archivedSopInstanceUid, sopInstanceUid);
    // Enqueued again (a retried request): the same job, nothing new
    const again = await server.node.db.$transaction((tx) => enqueueConsentArchive(tx, id));
    assert.deepEqual(again, { id: job.id, created: false });
  });

  it('enqueues nothing for a consent without a document (fed by FHIR); the job ends quietly for it and for a consent deleted since', async () => {
    const db = server.node.db;
    const external = await db.consent.create({ data: { patientRef, facilityId, decision: 'PERMIT', recipientKind: 'REGION', purposes: '["TRANSFER"]', validFrom: new Date(), evidenceKind: 'EXTERNAL', source: 'FHIR' } });
    assert.equal(await db.$transaction((tx) => enqueueConsentArchive(tx, external.id)), null);
    assert.equal(await archiveConsentDocument(context(), external.id), 'no-document');
    assert.equal(await archiveConsentDocument(context(), 'no-such-consent'), 'gone');
  });

  it('keeps the patient record when its last study is deleted while a consent hangs on it, and files the consent into it', async () => {
    const db = server.node.db;
    const other = makeStudy({ patientId: 'CN-2', patientName: 'Nilsen^Per', seed: 'consent-document-deleted', series: 1, instancesPerSeries: 1, modality: 'CR' });
    for (const file of other) await server.node.archive.ingest(file, { kind: 'import', source: 'consent-document-test' }, facilityId);
    const otherRef = (await db.study.findUniqueOrThrow({ where: { facilityId_studyInstanceUid: { facilityId, studyInstanceUid: other.studyInstanceUid } } })).patientRef;
    const id = newConsentId();
    const prepared = await prepareConsentDocument(context(), id, facts({ evidence: 'VERBAL', form: null, patient: { name: 'Nilsen^Per', patientId: 'CN-2', birthDate: '', sex: '' } }));
    await db.consent.create({ data: { id, patientRef: otherRef, facilityId, decision: 'PERMIT', recipientKind: 'REGION', purposes: '["SECOND_OPINION"]', validFrom: new Date(), evidenceKind: 'VERBAL', documentKey: prepared!.key, documentSha256: prepared!.sha256 } });
    assert.equal((await deleteStudy(server.node.archive, other.studyInstanceUid, facilityId)).patientRemoved, false, 'the consent keeps the patient record');
    assert.equal(await db.consent.count({ where: { id } }), 1, 'the consent survives the deletion of the images');
    assert.equal(await archiveConsentDocument(context(), id), 'stored');
    const stored = await db.instance.findFirst({ where: { sopInstanceUid: consentDocumentUids(id).sopInstanceUid }, select: { series: { select: { study: { select: { patientRef: true } } } } } });
    assert.equal(stored?.series.study.patientRef, otherRef, 'filed into the same patient record');
  });
});
