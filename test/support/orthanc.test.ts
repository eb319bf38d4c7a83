// The Orthanc launcher and the DCMTK query/retrieve helpers against Orthanc
// (a real Q/R SCP): if these pass, an interop failure with Telepacs is about
// Telepacs, not about how the tests drive Orthanc or DCMTK.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { acceptsConnections, findscu, getscu, hasDcmtk, movescu, startStorescp, storescu, writeTempFiles, type RunningStorescp, type TempFiles } from './dcmtk';
import { makeStudy } from './fixtures';
import { orthancMissing, startOrthanc, type RunningOrthanc } from './orthanc';

// Under CI both are installed by .ci/run: missing there must fail, not skip.
const missing = process.env.CI ? undefined : (orthancMissing() ?? (hasDcmtk() ? undefined : 'needs DCMTK (apt-get install -y dcmtk)'));

describe('Orthanc as a peer, driven by REST and by DCMTK', { skip: missing ?? false }, () => {
  let orthanc: RunningOrthanc;
  let scp: RunningStorescp;
  let files: TempFiles;
  const study = makeStudy({ patientId: 'ORTHANC-HELPERS', series: 2, instancesPerSeries: 3, seed: 'orthanc-helpers' });
  const allSops = study.sopInstanceUids.flat().sort();
  const peer = () => ({ port: orthanc.dicomPort, aet: orthanc.aet });

  before(async () => {
    scp = await startStorescp({ aet: 'HELPER_SCP' });
    orthanc = await startOrthanc({ aet: 'HELPER_ORTHANC', modalities: {
        scp: { aet: 'HELPER_SCP', port: scp.port },
        // Orthanc answers C-FIND/C-MOVE/C-GET only from AEs it knows (its
        // DicomAlwaysAllow* defaults); the DCMTK tools call as HELPER_SCU.
        tools: { aet: 'HELPER_SCU', port: scp.port },
      },
    });
    files = writeTempFiles(study);
  });
  after(async () => {
    await orthanc?.stop();
    await scp?.stop();
    files?.cleanup();
  });

  it('starts Orthanc with the DICOMweb plugin on free ports', async () => {
    assert.match(orthanc.version, /^\d+\.\d+/);
    const response = await fetch(`${orthanc.dicomwebUrl}/studies`);
    assert.equal(response.status, 200);
    await response.arrayBuffer();
  });

  it('receives a study from storescu, listed by /instances and /tools/find', async () => {
    const stored = await storescu(peer(), [files.dir], { callingAet: 'HELPER_SCU' });
    assert.equal(stored.exitCode, 0, stored.stderr);
    assert.equal((await orthanc.instances()).length, allSops.length);
    assert.deepEqual(await orthanc.sopInstanceUids(), allSops);
    const studies = await orthanc.find('Study', { PatientID: 'ORTHANC-HELPERS' });
    assert.deepEqual(
      studies.map((found) => found.MainDicomTags.StudyInstanceUID),
      [study.studyInstanceUid],
    );
  });

  it('answers findscu at series level, read back as datasets', async () => {
    const found = await findscu(peer(), {
      callingAet: 'HELPER_SCU',
      level: 'SERIES',
      keys: { StudyInstanceUID: study.studyInstanceUid, SeriesInstanceUID: '', NumberOfSeriesRelatedInstances: '' },
    });
    assert.equal(found.exitCode, 0, found.stderr);
    assert.deepEqual(found.datasets.map((dataset) => dataset.SeriesInstanceUID).sort(), [...study.seriesInstanceUids].sort());
    assert.deepEqual(
      found.datasets.map((dataset) => Number(dataset.NumberOfSeriesRelatedInstances)),
      [3, 3],
    );
  });

  it('moves a study to a storescp with movescu, with the final counts', async () => {
    const moved = await movescu(peer(), { callingAet: 'HELPER_SCU', level: 'STUDY', keys: { StudyInstanceUID: study.studyInstanceUid }, destination: 'HELPER_SCP' });
    assert.equal(moved.exitCode, 0, moved.stderr);
    assert.equal(moved.finalStatus?.code, 0x0000);
    assert.deepEqual(moved.counts, { completed: 6, failed: 0, warning: 0 });
    assert.deepEqual(scp.sopInstanceUids().sort(), allSops);
  });

  it('gets one series with getscu into a temp dir', async () => {
    const got = await getscu(peer(), { callingAet: 'HELPER_SCU', level: 'SERIES', keys: { StudyInstanceUID: study.studyInstanceUid, SeriesInstanceUID: study.seriesInstanceUids[1] } });
    try {
      assert.equal(got.exitCode, 0, got.stderr);
      assert.equal(got.finalStatus?.code, 0x0000);
      assert.equal(got.files.length, 3);
    } finally {
      got.cleanup();
    }
    assert.equal(existsSync(got.dir), false);
  });

  it('queries and moves through its REST API, with itself as the Q/R peer', async () => {
    await orthanc.addModality('self', { aet: orthanc.aet, port: orthanc.dicomPort });
    assert.equal(await orthanc.echo('self'), true);
    const answers = await orthanc.query('self', 'Study', { PatientID: 'ORTHANC-HELPERS' });
    assert.deepEqual(
      answers.map((answer) => answer.StudyInstanceUID),
      [study.studyInstanceUid],
    );
    const second = await startStorescp({ aet: 'SECOND_SCP' });
    try {
      await orthanc.addModality('second', { aet: 'SECOND_SCP', port: second.port });
      await orthanc.move('self', { Level: 'Study', Resources: [{ StudyInstanceUID: study.studyInstanceUid }], TargetAet: 'SECOND_SCP' });
      assert.deepEqual(second.sopInstanceUids().sort(), allSops);
    } finally {
      await second.stop();
    }
  });

  it('stops: the ports close and its temp dir is gone', async () => {
    const short = await startOrthanc({ dicomweb: false });
    await short.stop();
    assert.equal(await acceptsConnections(short.dicomPort), false);
    assert.equal(existsSync(short.workDir), false);
  });
});
