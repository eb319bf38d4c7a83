// Orthanc (Debian) as a DIMSE peer of Telepacs, both ways, the way a
// hospital's existing PACS would be connected:
// - Orthanc queries Telepacs (C-FIND) and pulls a study to itself (C-MOVE)
//   through its REST API: Telepacs lists Orthanc in DICOM_PEERS, Orthanc
//   lists Telepacs in DicomModalities.
// - Telepacs pushes a study to Orthanc with its C-STORE SCU (archive.sendTo).
// In both, Orthanc must end up with exactly the instances that were sent,
// dataset bytes unchanged.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, hasDcmtk, storescu, writeTempFiles, type TempFiles } from '../support/dcmtk';
import { makeStudy, type FixtureStudy } from '../support/fixtures';
import { orthancMissing, startOrthanc, type RunningOrthanc } from '../support/orthanc';
import { startTestServer, type TestServer } from '../support/test-server';

const TELEPACS_AET = 'TELEPACS';
const ORTHANC_AET = 'ORTHANC_PEER';
/** storescu's calling AE: the modality that feeds Telepacs in this test */
const MODALITY_AET = 'INTEROP_CT';

// Under CI both peers are installed by .ci/run: missing there must fail, not skip.
const peersMissing = process.env.CI ? undefined : (orthancMissing({ dicomweb: false }) ?? (hasDcmtk() ? undefined : 'needs DCMTK (apt-get install -y dcmtk)'));

/** The dataset of a Part 10 file (after the File Meta group, which every receiver writes anew). */
function datasetBytes(file: Buffer): Buffer {
  const metaLength = file.readUInt32LE(140); // (0002,0000) FileMetaInformationGroupLength
  return file.subarray(132 + 12 + metaLength);
}

describe('Orthanc as a DIMSE peer of Telepacs', { skip: peersMissing ?? false }, () => {
  let server: TestServer;
  let orthanc: RunningOrthanc;
  let orthancDicomPort: number;
  const files: TempFiles[] = [];
  const pulled = makeStudy({ patientId: 'INTEROP-MOVE', patientName: 'Pull^Olga', series: 2, instancesPerSeries: 3, seed: 'interop-move' });
  const pushed = makeStudy({ patientId: 'INTEROP-SEND', patientName: 'Push^Paul', series: 2, instancesPerSeries: 2, seed: 'interop-send' });

  /** storescu from the "modality" into Telepacs. */
  async function storeIntoTelepacs(study: FixtureStudy): Promise<void> {
    const written = writeTempFiles(study);
    files.push(written);
    const result = await storescu({ port: server.dicomPort, aet: TELEPACS_AET }, [written.dir], { callingAet: MODALITY_AET });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(result.responses.filter((response) => response.ok).length, study.length);
  }

  /** Orthanc's copy of each instance of `study`, compared with what was sent. */
  async function assertOrthancHolds(study: FixtureStudy): Promise<void> {
    const held = await orthanc.find('Instance', { StudyInstanceUID: study.studyInstanceUid });
    assert.deepEqual(held.map((instance) => instance.MainDicomTags.SOPInstanceUID).sort(), study.sopInstanceUids.flat().sort());
    const sentBySop = new Map(study.sopInstanceUids.flat().map((sop, index) => [sop, study[index]]));
    for (const instance of held) {
      const response = await fetch(`${orthanc.url}/instances/${instance.ID}/file`);
      assert.equal(response.status, 200);
      const received = Buffer.from(await response.arrayBuffer());
      const sent = sentBySop.get(instance.MainDicomTags.SOPInstanceUID);
      assert.ok(sent && datasetBytes(received).equals(datasetBytes(sent)), `dataset of ${instance.MainDicomTags.SOPInstanceUID} changed on the way`);
    }
  }

  before(async () => {
    // Each side must know the other's address before it starts: Orthanc's
    // DICOM port is chosen first, Telepacs' is known once it listens.
    orthancDicomPort = await freePort();
    const modalityPort = await freePort();
    server = await startTestServer({
      env: {
        DICOM_AET: TELEPACS_AET,
        DICOM_PEERS: `${ORTHANC_AET}@127.0.0.1:${orthancDicomPort},${MODALITY_AET}@127.0.0.1:${modalityPort}`,
      },
    });
    orthanc = await startOrthanc({
      aet: ORTHANC_AET,
      dicomPort: orthancDicomPort,
      dicomweb: false,
      modalities: { telepacs: { aet: TELEPACS_AET, port: server.dicomPort } },
    });
  });
  after(async () => {
    await orthanc?.stop();
    await server?.stop();
    for (const written of files) written.cleanup();
  });

  it('Orthanc echoes Telepacs and finds a study stored into it, at study and series level', async () => {
    assert.equal(await orthanc.echo('telepacs'), true);
    await storeIntoTelepacs(pulled);
    const studies = await orthanc.query('telepacs', 'Study', { PatientID: 'INTEROP-MOVE', StudyInstanceUID: '', NumberOfStudyRelatedInstances: '' });
    assert.deepEqual(
      studies.map((study) => [study.StudyInstanceUID, Number(study.NumberOfStudyRelatedInstances)]),
      [[pulled.studyInstanceUid, 6]],
    );
    const series = await orthanc.query('telepacs', 'Series', { StudyInstanceUID: pulled.studyInstanceUid, SeriesInstanceUID: '' });
    assert.deepEqual(series.map((found) => found.SeriesInstanceUID).sort(), [...pulled.seriesInstanceUids].sort());
  });

  it('Orthanc C-MOVEs the study from Telepacs to itself and holds every instance sent', async () => {
    assert.deepEqual(await orthanc.find('Instance', { StudyInstanceUID: pulled.studyInstanceUid }), []);
    await orthanc.move('telepacs', { Level: 'Study', Resources: [{ StudyInstanceUID: pulled.studyInstanceUid }], TargetAet: ORTHANC_AET });
    await assertOrthancHolds(pulled);
  });

  it('Telepacs sends a study to Orthanc with its C-STORE SCU and Orthanc holds every instance', async () => {
    await storeIntoTelepacs(pushed);
    const result = await server.node.archive.sendTo({ aet: ORTHANC_AET, host: '127.0.0.1', port: orthancDicomPort }, pushed.studyInstanceUid);
    assert.equal(result.failed, 0);
    assert.equal(result.completed, pushed.length);
    await assertOrthancHolds(pushed);
  });
});
