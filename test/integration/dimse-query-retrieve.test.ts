// C-FIND, C-MOVE, C-GET and C-CANCEL with DCMTK as the real clients and a
// real storescp as the move destination: a multi-series study stored in
// three transfer syntaxes is found at every level of both models, moved and
// got back, and what arrives is compared with what was sent.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hasDcmtk, makeInstance, makeStudy, runDcmtk, type FixtureStudy } from '../support/fixtures';
import {
  findscu,
  freePort,
  getscu,
  movescu,
  readDataset,
  sopInstanceUidOf,
  startStorescp,
  storescu,
  type ProposedTransferSyntaxes,
  type RunningStorescp,
} from '../support/dcmtk';
import { startTestServer, type TestServer } from '../support/test-server';

const skip = hasDcmtk() || process.env.CI ? undefined : 'needs DCMTK (apt-get install -y dcmtk)';
const SCU = 'QR_SCU';
const DESTINATION = 'MOVE_DEST';

describe('DIMSE C-FIND, C-MOVE, C-GET (DCMTK clients)', { skip }, () => {
  let server: TestServer;
  let storescp: RunningStorescp;
  let study: FixtureStudy;
  let workDir: string;
  /** What was sent, by SOP Instance UID: the stored files (series 2 RLE, series 3 JPEG-LS) */
  const sentFiles = new Map<string, Buffer>();
  /** The uncompressed originals, to compare decoded pixels with */
  const originals = new Map<string, Buffer>();
  const peer = () => ({ port: server.dicomPort, aet: 'TELEPACS' });

  before(async () => {
    workDir = mkdtempSync(path.join(tmpdir(), 'telepacs-dimse-qr-'));
    storescp = await startStorescp({ aet: DESTINATION, bitPreserving: true });
    server = await startTestServer({ env: { DICOM_PEERS: `${SCU}@127.0.0.1:${await freePort()},${DESTINATION}@127.0.0.1:${storescp.port}` } });
    study = makeStudy({
      patientId: 'DIMSE-QR-1',
      patientName: 'Müller^Jürgen',
      specificCharacterSet: 'ISO_IR 192',
      accessionNumber: 'DQR1',
      studyDescription: 'CT ABDOMEN',
      series: 3,
      instancesPerSeries: 3,
      seriesModalities: ['CT', 'CT', 'CT'],
      seed: 'dimse-qr',
    });
    const conversions: [string[], ProposedTransferSyntaxes][] = [
      [[], 'uncompressed'],
      [['dcmcrle'], 'rle'],
      [['dcmcjpls', '+el'], 'jpegLsLossless'],
    ];
    for (let s = 0; s < 3; s++) {
      const [tool, propose] = conversions[s];
      const paths = study.sopInstanceUids[s].map((sop, i) => {
        const original = study[s * 3 + i];
        originals.set(sop, original);
        const source = path.join(workDir, `s${s}-${i}.dcm`);
        writeFileSync(source, original);
        if (!tool.length) return source;
        const converted = path.join(workDir, `s${s}-${i}-c.dcm`);
        runDcmtk(tool[0], [...tool.slice(1), source, converted]);
        return converted;
      });
      for (const file of paths) sentFiles.set(sopInstanceUidOf(file), readFileSync(file));
      const result = await storescu(peer(), paths, { callingAet: SCU, propose });
      assert.equal(result.exitCode, 0, result.stderr);
    }
  });

  after(async () => {
    await server?.stop();
    await storescp?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('finds the study at STUDY level (study root) with computed keys and UTF-8 names', async () => {
    const result = await findscu(peer(), {
      callingAet: SCU,
      level: 'STUDY',
      keys: { PatientID: 'DIMSE-QR-1', PatientName: '', StudyInstanceUID: '', ModalitiesInStudy: '', NumberOfStudyRelatedSeries: '', NumberOfStudyRelatedInstances: '', RetrieveAETitle: '' },
    });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(result.datasets.length, 1);
    const [match] = result.datasets;
    assert.equal(match.StudyInstanceUID, study.studyInstanceUid);
    assert.equal(match.SpecificCharacterSet, 'ISO_IR 192');
    assert.deepEqual(match.PatientName, [{ Alphabetic: 'Müller^Jürgen' }]);
    assert.equal(Number(match.NumberOfStudyRelatedSeries), 3);
    assert.equal(Number(match.NumberOfStudyRelatedInstances), 9);
    assert.equal(match.RetrieveAETitle, 'TELEPACS');
    assert.equal(match.QueryRetrieveLevel, 'STUDY');
  });

  it('matches person names like QIDO-RS does (case and accents folded, wildcards)', async () => {
    const result = await findscu(peer(), { callingAet: SCU, level: 'STUDY', keys: { PatientName: 'MULLER*', StudyInstanceUID: '' } });
    assert.deepEqual(result.datasets.map((d) => d.StudyInstanceUID), [study.studyInstanceUid]);
    const none = await findscu(peer(), { callingAet: SCU, level: 'STUDY', keys: { PatientName: 'SCHMIDT*', StudyInstanceUID: '' } });
    assert.equal(none.datasets.length, 0);
  });

  it('finds the series and the images of the study', async () => {
    const series = await findscu(peer(), { callingAet: SCU, level: 'SERIES', keys: { StudyInstanceUID: study.studyInstanceUid, SeriesInstanceUID: '', SeriesNumber: '', Modality: '' } });
    assert.deepEqual(series.datasets.map((d) => d.SeriesInstanceUID).sort(), [...study.seriesInstanceUids].sort());
    const images = await findscu(peer(), {
      callingAet: SCU,
      level: 'IMAGE',
      keys: { StudyInstanceUID: study.studyInstanceUid, SeriesInstanceUID: study.seriesInstanceUids[1], SOPInstanceUID: '', InstanceNumber: '' },
    });
    assert.deepEqual(images.datasets.map((d) => d.SOPInstanceUID), study.sopInstanceUids[1]);
  });

  it('finds the patient and its studies in the patient root model', async () => {
    const patients = await findscu(peer(), {
      callingAet: SCU,
      model: 'patient',
      level: 'PATIENT',
      keys: { PatientID: 'DIMSE-QR-*', PatientName: '', NumberOfPatientRelatedStudies: '', NumberOfPatientRelatedInstances: '' },
    });
    assert.equal(patients.exitCode, 0, patients.stderr);
    assert.equal(patients.datasets.length, 1);
    assert.equal(patients.datasets[0].PatientID, 'DIMSE-QR-1');
    assert.equal(Number(patients.datasets[0].NumberOfPatientRelatedStudies), 1);
    assert.equal(Number(patients.datasets[0].NumberOfPatientRelatedInstances), 9);
    const studies = await findscu(peer(), { callingAet: SCU, model: 'patient', level: 'STUDY', keys: { PatientID: 'DIMSE-QR-1', StudyInstanceUID: '' } });
    assert.deepEqual(studies.datasets.map((d) => d.StudyInstanceUID), [study.studyInstanceUid]);
  });

  it('answers an invalid key value with a failure, not with everything', async () => {
    const result = await findscu(peer(), { callingAet: SCU, level: 'STUDY', keys: { StudyDate: '2024-13-45', StudyInstanceUID: '' } });
    assert.equal(result.datasets.length, 0);
    assert.match(result.stderr + result.stdout, /DataSetDoesNotMatchSOPClass|0xa900/i);
  });

  it('sees only the home facility: a study of another facility is not found', async () => {
    const db = server.node.db;
    const other = await db.facility.create({ data: { name: 'Elsewhere', code: 'ELSEWHERE' } });
    const hidden = makeInstance({ patientId: 'DIMSE-QR-HIDDEN', seed: 'dimse-hidden' });
    await server.node.archive.ingest(hidden, { kind: 'import', source: 'test' }, other.id);
    const result = await findscu(peer(), { callingAet: SCU, level: 'STUDY', keys: { PatientID: 'DIMSE-QR-HIDDEN', StudyInstanceUID: '' } });
    assert.equal(result.datasets.length, 0);
  });

  it('moves the study to a registered storescp; the received datasets are the ones sent', async () => {
    const result = await movescu(peer(), { callingAet: SCU, level: 'STUDY', keys: { StudyInstanceUID: study.studyInstanceUid }, destination: DESTINATION });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(result.finalStatus?.code, 0);
    assert.deepEqual(result.counts, { completed: 9, failed: 0, warning: 0 });
    assert.match(result.stderr + result.stdout, /Remaining Suboperations\s*:\s*\d/, 'pending responses carry the remaining count');
    const received = storescp.files();
    assert.equal(received.length, 9);
    for (const file of received) {
      const bytes = readFileSync(file);
      const sop = sopInstanceUidOf(file);
      const sent = sentFiles.get(sop);
      assert.ok(sent, `received ${sop}, which was sent`);
      assert.ok(datasetOf(bytes).equals(datasetOf(sent)), `${sop}: the dataset arrives exactly as it was stored`);
    }
  });

  it('refuses a move to an unknown destination with 0xA801', async () => {
    const result = await movescu(peer(), { callingAet: SCU, level: 'STUDY', keys: { StudyInstanceUID: study.studyInstanceUid }, destination: 'NOWHERE' });
    assert.equal(result.finalStatus?.code, 0xa801);
  });

  it('moves nothing to a peer registered by another facility: that destination is unknown to this caller', async () => {
    const db = server.node.db;
    const clinic = await db.facility.create({ data: { name: 'Other Clinic', code: 'MOVE-OTHER' } });
    await db.dicomPeer.create({ data: { facilityId: clinic.id, aet: 'CLINIC_PACS', host: '127.0.0.1', port: storescp.port } });
    const before = storescp.files().length;
    const result = await movescu(peer(), { callingAet: SCU, level: 'STUDY', keys: { StudyInstanceUID: study.studyInstanceUid }, destination: 'CLINIC_PACS' });
    assert.equal(result.finalStatus?.code, 0xa801);
    assert.equal(storescp.files().length, before, 'not one image left for the other facility');
  });

  it('gets the study with getscu on the same association; compressed series are transcoded losslessly to what getscu accepts', async () => {
    const result = await getscu(peer(), { callingAet: SCU, level: 'STUDY', keys: { StudyInstanceUID: study.studyInstanceUid } });
    try {
      assert.equal(result.exitCode, 0, result.stderr);
      assert.equal(result.finalStatus?.code, 0, result.stderr.slice(-3000));
      assert.equal(result.files.length, 9);
      for (const file of result.files) {
        const sop = sopInstanceUidOf(file);
        const original = originals.get(sop);
        assert.ok(original, `got ${sop}`);
        const got = readDataset(file);
        const expected = readDataset(writeTemp(original));
        assert.equal(got.PatientID, expected.PatientID);
        assert.ok(pixels(got).equals(pixels(expected)), `${sop}: the same pixels`);
      }
    } finally {
      result.cleanup();
    }
  });

  it('cancels a big C-FIND on C-CANCEL and answers 0xFE00', async () => {
    // 150 small images of one patient, ingested directly (the network is not what is tested here)
    const many = makeStudy({ patientId: 'DIMSE-QR-MANY', accessionNumber: 'DQRMANY', series: 1, instancesPerSeries: 150, rows: 8, columns: 8, seed: 'dimse-many' });
    for (const bytes of many) await server.node.archive.ingest(bytes, { kind: 'import', source: 'test' }, server.node.firstRun.facilityId);
    const result = await findscu(peer(), { callingAet: SCU, level: 'IMAGE', keys: { PatientID: 'DIMSE-QR-MANY', SOPInstanceUID: '' }, extraArgs: ['--cancel', '1'] });
    assert.match(result.stderr + result.stdout, /Received Final Find Response \(Cancel/);
    assert.ok(result.datasets.length < 150, `stopped early: ${result.datasets.length} of 150`);
    const event = await server.node.db.auditEvent.findFirst({ where: { action: 'dimse.c-find' }, orderBy: { at: 'desc' } });
    assert.equal(JSON.parse(event?.details ?? '{}').cancelled, true);
  });

  it('wrote an audit event per operation with the calling AE and address', async () => {
    const db = server.node.db;
    for (const action of ['dimse.c-find', 'dimse.c-move', 'dimse.c-get', 'dimse.c-store']) {
      const event = await db.auditEvent.findFirst({ where: { action, actor: `AE:${SCU}` } });
      assert.ok(event, `${action} audited`);
      assert.match(event.sourceIp, /127\.0\.0\.1/);
    }
    const move = await db.auditEvent.findFirst({ where: { action: 'dimse.c-move', outcome: 'SUCCESS' } });
    assert.equal(move?.studyUid, study.studyInstanceUid);
    assert.equal(move?.patientId, 'DIMSE-QR-1');
    assert.equal(JSON.parse(move?.details ?? '{}').destination, DESTINATION);
  });

  function writeTemp(bytes: Buffer): string {
    const file = path.join(workDir, `tmp-${Math.random().toString(36).slice(2)}.dcm`);
    writeFileSync(file, bytes);
    return file;
  }
});

/** The dataset after the File Meta group (explicit VR LE, PS3.10 7.1). */
function datasetOf(file: Buffer): Buffer {
  let offset = 132;
  while (file.readUInt16LE(offset) === 0x0002) {
    const vr = file.toString('latin1', offset + 4, offset + 6);
    offset += ['OB', 'OW', 'SQ', 'UN', 'UT'].includes(vr) ? 12 + file.readUInt32LE(offset + 8) : 8 + file.readUInt16LE(offset + 6);
  }
  return file.subarray(offset);
}

function pixels(dataset: Record<string, unknown>): Buffer {
  const value = dataset.PixelData;
  const first = Array.isArray(value) ? value[0] : value;
  assert.ok(first instanceof ArrayBuffer, 'native pixel data');
  return Buffer.from(first);
}
