// The Modality Worklist (PS3.4 K) as a modality reads it, with DCMTK's
// `findscu -W` as the modality: the HIS's patient name and the RIS's order
// reach it; the date, modality, station and name keys select as PS3.4
// C.2.2.2 says; cancelled, completed and imaged steps and another
// facility's orders never appear.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createFacility } from '../../lib/policy/test-fixtures';
import { freePort, hasDcmtk, worklistFindscu } from '../support/dcmtk';
import { createOrder, createOrderPatient } from '../support/orders';
import { startTestServer, type TestServer } from '../support/test-server';

const skip = hasDcmtk() || process.env.CI ? undefined : 'needs DCMTK (apt-get install -y dcmtk)';
const SPS = 'ScheduledProcedureStepSequence[0]';

/** A PN as dcmjs reads it back (a string, or [{ Alphabetic }]). */
function nameOf(value: unknown): string {
  const first: unknown = Array.isArray(value) ? value[0] : value;
  if (first && typeof first === 'object' && 'Alphabetic' in first) return String((first as { Alphabetic: unknown }).Alphabetic);
  return first === undefined || first === null ? '' : String(first);
}

function stepOf(dataset: Record<string, unknown>): Record<string, unknown> {
  const sequence = dataset.ScheduledProcedureStepSequence;
  assert.ok(Array.isArray(sequence) && sequence.length === 1, 'one Scheduled Procedure Step item');
  return sequence[0] as Record<string, unknown>;
}

const accessions = (datasets: Record<string, unknown>[]) => datasets.map((dataset) => dataset.AccessionNumber);

describe('Modality Worklist C-FIND (DCMTK findscu -W)', { skip }, () => {
  let server: TestServer;
  const peer = () => ({ port: server.dicomPort, aet: 'TELEPACS' });

  before(async () => {
    server = await startTestServer({ env: { DICOM_PEERS: `CT1@127.0.0.1:${await freePort()},MR1@127.0.0.1:${await freePort()}` } });
    const db = server.node.db;
    const home = server.node.firstRun.facilityId;
    const jane = await createOrderPatient(db, home, { patientId: 'MRN-1001', name: 'Doë^Jane', sex: 'F', birthDate: '19800102' });
    const john = await createOrderPatient(db, home, { patientId: 'MRN-1002', name: 'Smith^John', sex: 'M', birthDate: '19700304' });
    await createOrder(db, home, jane.id, {
      accessionNumber: 'ACC-CT-1',
      studyInstanceUid: '2.25.1001',
      modality: 'CT',
      stationAet: 'CT1',
      scheduledDate: '20261207',
      scheduledTime: '090000',
      requestedProcedureId: 'RP-CT-1',
      requestedProcedureCode: 'CTHEAD',
      requestedProcedureText: 'CT head without contrast',
      priority: 'STAT',
      referringPhysician: 'Ward^Anna',
    });
    await createOrder(db, home, john.id, { accessionNumber: 'ACC-MR-1', modality: 'MR', stationAet: 'MR1', scheduledDate: '20261208', scheduledTime: '140000' });
    await createOrder(db, home, john.id, { accessionNumber: 'ACC-CT-2', modality: 'CT', stationAet: 'CT1', scheduledDate: '20261209', scheduledTime: '100000', status: 'IN_PROGRESS' });
    // Steps a modality must not be offered
    await createOrder(db, home, jane.id, { accessionNumber: 'ACC-CANCELLED', stationAet: 'CT1', scheduledDate: '20261207', scheduledTime: '110000', status: 'CANCELLED' });
    await createOrder(db, home, jane.id, { accessionNumber: 'ACC-COMPLETED', stationAet: 'CT1', scheduledDate: '20261207', scheduledTime: '120000', status: 'COMPLETED' });
    await createOrder(db, home, jane.id, { accessionNumber: 'ACC-IMAGED', stationAet: 'CT1', scheduledDate: '20261207', scheduledTime: '130000', status: 'IMAGES_RECEIVED' });
    // Another facility of the node: its own patient under the same MRN, its own CT1 order, its own modality
    const other = await createFacility(db, 'Other Hospital');
    const stranger = await createOrderPatient(db, other.id, { patientId: 'MRN-1001', name: 'Other^Person' });
    await createOrder(db, other.id, stranger.id, { accessionNumber: 'ACC-OTHER-1', stationAet: 'CT1', scheduledDate: '20261207', scheduledTime: '090000' });
    await db.dicomPeer.create({ data: { facilityId: other.id, aet: 'OTHERCT', host: '127.0.0.1', port: await freePort() } });
  });

  after(async () => {
    await server?.stop();
  });

  it("gives the CT today's step with the HIS's patient name, the accession number and the study UID", async () => {
    const result = await worklistFindscu(peer(), {
      callingAet: 'CT1',
      keys: [
        'PatientName',
        'PatientID',
        'AccessionNumber',
        'StudyInstanceUID',
        `${SPS}.Modality=CT`,
        `${SPS}.ScheduledProcedureStepStartDate=20261207`,
        `${SPS}.ScheduledProcedureStepStartTime`,
        `${SPS}.ScheduledStationAETitle`,
      ],
    });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.deepEqual(accessions(result.datasets), ['ACC-CT-1']);
    const [item] = result.datasets;
    assert.equal(nameOf(item.PatientName), 'Doë^Jane');
    assert.equal(item.PatientID, 'MRN-1001');
    assert.equal(item.StudyInstanceUID, '2.25.1001');
    assert.equal(item.SpecificCharacterSet, 'ISO_IR 192');
    const step = stepOf(item);
    assert.equal(step.Modality, 'CT');
    assert.equal(step.ScheduledProcedureStepStartDate, '20261207');
    assert.equal(step.ScheduledProcedureStepStartTime, '090000');
    assert.equal(step.ScheduledStationAETitle, 'CT1');
    // Only the keys asked for come back
    assert.equal(item.PatientBirthDate, undefined);
    assert.equal(step.ScheduledProcedureStepID, undefined);
  });

  it('matches date ranges (from-to, -to, from-) in schedule order', async () => {
    const query = async (range: string) => {
      const result = await worklistFindscu(peer(), { callingAet: 'CT1', keys: ['AccessionNumber', `${SPS}.ScheduledProcedureStepStartDate=${range}`] });
      assert.equal(result.exitCode, 0, result.stderr);
      return accessions(result.datasets);
    };
    assert.deepEqual(await query('20261207-20261208'), ['ACC-CT-1', 'ACC-MR-1']);
    assert.deepEqual(await query('-20261208'), ['ACC-CT-1', 'ACC-MR-1']);
    assert.deepEqual(await query('20261208-'), ['ACC-MR-1', 'ACC-CT-2']);
    assert.deepEqual(await query('20261210-'), []);
  });

  it('selects by scheduled station AE title, time range and modality', async () => {
    const byStation = await worklistFindscu(peer(), { callingAet: 'CT1', keys: ['AccessionNumber', `${SPS}.ScheduledStationAETitle=CT1`] });
    assert.deepEqual(accessions(byStation.datasets), ['ACC-CT-1', 'ACC-CT-2'], 'the started step stays on the worklist; cancelled, completed and imaged ones do not');
    const byTime = await worklistFindscu(peer(), { callingAet: 'MR1', keys: ['AccessionNumber', `${SPS}.ScheduledProcedureStepStartTime=1300-1500`] });
    assert.deepEqual(accessions(byTime.datasets), ['ACC-MR-1']);
    const byModality = await worklistFindscu(peer(), { callingAet: 'MR1', keys: ['AccessionNumber', `${SPS}.Modality=MR`] });
    assert.deepEqual(accessions(byModality.datasets), ['ACC-MR-1']);
  });

  it('matches patient names case-insensitively with wildcards, and IDs exactly', async () => {
    const byName = await worklistFindscu(peer(), { callingAet: 'CT1', keys: ['AccessionNumber', 'PatientName=smith*'] });
    assert.deepEqual(accessions(byName.datasets), ['ACC-MR-1', 'ACC-CT-2']);
    const accented = await worklistFindscu(peer(), { callingAet: 'CT1', keys: ['AccessionNumber', 'PatientName=DOE^JANE'] });
    assert.deepEqual(accessions(accented.datasets), ['ACC-CT-1'], 'accents and case folded as in QIDO-RS');
    const byId = await worklistFindscu(peer(), { callingAet: 'CT1', keys: ['AccessionNumber', 'PatientID=MRN-1002'] });
    assert.deepEqual(accessions(byId.datasets), ['ACC-MR-1', 'ACC-CT-2']);
    const byAccession = await worklistFindscu(peer(), { callingAet: 'CT1', keys: ['PatientID', 'AccessionNumber=ACC-CT-2'] });
    assert.deepEqual(accessions(byAccession.datasets), ['ACC-CT-2']);
  });

  it('returns the requested procedure, the physicians and the whole step when asked', async () => {
    const result = await worklistFindscu(peer(), {
      callingAet: 'CT1',
      keys: [
        'AccessionNumber=ACC-CT-1',
        'PatientBirthDate',
        'PatientSex',
        'IssuerOfPatientID',
        'ReferringPhysicianName',
        'RequestedProcedureID',
        'RequestedProcedureDescription',
        'RequestedProcedureCodeSequence',
        'RequestedProcedurePriority',
        'ReasonForTheRequestedProcedure',
        'PatientWeight',
        'ScheduledProcedureStepSequence',
      ],
    });
    assert.equal(result.exitCode, 0, result.stderr);
    const [item] = result.datasets;
    assert.equal(item.PatientBirthDate, '19800102');
    assert.equal(item.PatientSex, 'F');
    assert.equal(nameOf(item.ReferringPhysicianName), 'Ward^Anna');
    assert.equal(item.RequestedProcedureID, 'RP-CT-1');
    assert.equal(item.RequestedProcedureDescription, 'CT head without contrast');
    assert.equal(item.RequestedProcedurePriority, 'STAT');
    const [code] = item.RequestedProcedureCodeSequence as Record<string, unknown>[];
    assert.equal(code.CodeValue, 'CTHEAD');
    assert.ok('PatientWeight' in item, 'a Type 2 key we hold nothing for comes back empty');
    const step = stepOf(item);
    assert.equal(step.Modality, 'CT');
    assert.equal(step.ScheduledStationAETitle, 'CT1');
    assert.equal(step.ScheduledProcedureStepStatus, 'SCHEDULED');
    assert.ok(step.ScheduledProcedureStepID);
  });

  it('answers the broad query a modality sends, keys it does not hold coming back empty', async () => {
    const result = await worklistFindscu(peer(), {
      callingAet: 'CT1',
      keys: [
        'SpecificCharacterSet',
        'PatientName',
        'PatientID',
        'PatientWeight',
        'MedicalAlerts',
        'Allergies',
        'PregnancyStatus',
        'AdmissionID',
        'AccessionNumber',
        'StudyInstanceUID',
        `${SPS}.ScheduledStationAETitle=CT1`,
        `${SPS}.ScheduledProcedureStepStartDate=20261207-20261209`,
        `${SPS}.ScheduledProcedureStepStartTime`,
        `${SPS}.Modality`,
        `${SPS}.ScheduledPerformingPhysicianName`,
        `${SPS}.ScheduledProcedureStepDescription`,
        `${SPS}.ScheduledProcedureStepLocation`,
        `${SPS}.ScheduledProtocolCodeSequence`,
        `${SPS}.CommentsOnTheScheduledProcedureStep`,
      ],
    });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.deepEqual(accessions(result.datasets), ['ACC-CT-1', 'ACC-CT-2']);
    const [item] = result.datasets;
    for (const keyword of ['PatientWeight', 'MedicalAlerts', 'Allergies', 'PregnancyStatus', 'AdmissionID']) assert.ok(keyword in item, keyword);
    const step = stepOf(item);
    assert.equal(step.Modality, 'CT');
    for (const keyword of ['ScheduledPerformingPhysicianName', 'ScheduledProcedureStepLocation', 'ScheduledProtocolCodeSequence', 'CommentsOnTheScheduledProcedureStep']) assert.ok(keyword in step, keyword);
  });

  it("shows a modality only its own facility's orders, and audits each query there", async () => {
    const home = await worklistFindscu(peer(), { callingAet: 'CT1', keys: ['AccessionNumber', 'PatientName', `${SPS}.ScheduledProcedureStepStartDate=20261207`] });
    assert.deepEqual(accessions(home.datasets), ['ACC-CT-1']);
    const other = await worklistFindscu(peer(), { callingAet: 'OTHERCT', keys: ['AccessionNumber', 'PatientName', `${SPS}.ScheduledStationAETitle=CT1`] });
    assert.equal(other.exitCode, 0, other.stderr);
    assert.deepEqual(accessions(other.datasets), ['ACC-OTHER-1']);
    assert.equal(nameOf(other.datasets[0].PatientName), 'Other^Person');

    const event = await server.node.db.auditEvent.findFirst({ where: { action: 'dimse.mwl-find', actor: 'AE:OTHERCT' }, orderBy: { at: 'desc' } });
    const otherFacility = await server.node.db.facility.findFirst({ where: { name: 'Other Hospital' } });
    assert.equal(event?.facilityId, otherFacility?.id);
    assert.equal(event?.outcome, 'SUCCESS');
    const details = JSON.parse(event?.details ?? '{}') as { matches?: number; keys?: string[] };
    assert.equal(details.matches, 1);
    assert.ok(details.keys?.includes('ScheduledProcedureStepSequence.ScheduledStationAETitle'));
  });

  it('refuses a malformed date with 0xA900 and audits the failure', async () => {
    const result = await worklistFindscu(peer(), { callingAet: 'CT1', keys: ['AccessionNumber', `${SPS}.ScheduledProcedureStepStartDate=2026-12-07`] });
    assert.deepEqual(result.datasets, []);
    assert.match(result.stderr + result.stdout, /DataSetDoesNotMatchSOPClass/);
    const event = await server.node.db.auditEvent.findFirst({ where: { action: 'dimse.mwl-find', outcome: 'FAILURE' }, orderBy: { at: 'desc' } });
    assert.ok(event, 'the failed query is in the audit trail');
  });

  // Last: its 150 steps would join the other tests' answers
  it('stops on C-CANCEL and answers Cancel (0xFE00)', async () => {
    const db = server.node.db;
    const home = server.node.firstRun.facilityId;
    const patient = await createOrderPatient(db, home, { patientId: 'MRN-BULK', name: 'Bulk^Patient' });
    for (let i = 0; i < 150; i++) await createOrder(db, home, patient.id, { accessionNumber: `BULK-${i}`, modality: 'US', stationAet: 'US1', scheduledDate: '20270101' });
    const result = await worklistFindscu(peer(), { callingAet: 'CT1', keys: ['AccessionNumber', `${SPS}.Modality=US`], extraArgs: ['--cancel', '1'] });
    assert.match(result.stderr + result.stdout, /Received Final Find Response \(Cancel/);
    assert.ok(result.datasets.length < 150, `stopped early: ${result.datasets.length} of 150`);
    const event = await db.auditEvent.findFirst({ where: { action: 'dimse.mwl-find' }, orderBy: { at: 'desc' } });
    assert.equal(JSON.parse(event?.details ?? '{}').cancelled, true);
  });
});
