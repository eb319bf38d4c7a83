// What the "Ask for a second opinion" form offers (lib/referrals/referral-form-choices.ts),
// on real ingested studies with records linked by the region-wide patient ID:
// the given study first, then the person's other studies of the caller's own
// facilities (across linked records), newest first; a study the caller reads
// only through a grant is neither the form's subject nor offered as a prior;
// an outsider gets null (the page's "not found"). createReferral agrees: it
// refuses the granted study the form does not offer.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createReferral } from '../../lib/referrals/create-referral';
import { referralFormChoices } from '../../lib/referrals/referral-form-choices';
import { createConsultation, createFacility, createUser } from '../../lib/policy/test-fixtures';
import { createArchiveHarness, type ArchiveHarness } from '../support/archive-harness';
import { permitSharing } from '../support/consent';
import { makeStudy, type StudyOptions } from '../support/fixtures';

const REGION = 'REGION';
const study = (seed: string, options: Omit<StudyOptions, 'seed' | 'series' | 'instancesPerSeries'>) => makeStudy({ series: 1, instancesPerSeries: 1, rows: 16, columns: 16, seed, ...options });

describe('the second-opinion form: patient and shareable studies', () => {
  let harness: ArchiveHarness;
  // The same woman at hospital A (two studies) and clinic B (one), linked by her region ID
  const headCt = study('form-a1', { patientId: 'R-200', issuerOfPatientId: REGION, patientName: 'Form^Frida', patientBirthDate: '19700412', patientSex: 'F', studyDate: '20240301', studyDescription: 'CT HEAD', modality: 'CT' });
  const chestCt = study('form-a2', { patientId: 'R-200', issuerOfPatientId: REGION, patientName: 'Form^Frida', patientBirthDate: '19700412', patientSex: 'F', studyDate: '20250101', studyDescription: 'CT CHEST', modality: 'CT' });
  const kneeMr = study('form-b1', {
    patientId: 'CL-9',
    issuerOfPatientId: 'CLINIC',
    otherPatientIds: [{ patientId: 'R-200', issuerOfPatientId: REGION }],
    patientName: 'Form^Frida',
    studyDate: '20240510',
    studyDescription: 'MR KNEE',
    modality: 'MR',
  });
  const ids = { memberA: '', memberAB: '', grantee: '', outsider: '' };
  let recordA = '';
  let recordB = '';

  before(async () => {
    harness = await createArchiveHarness({ regionPatientIdIssuer: REGION });
    const { db, facilityId: a, otherFacilityId: b } = harness;
    for (const file of [...headCt, ...chestCt]) await harness.archive.ingest(file, { kind: 'import', source: 'form-test' }, a);
    for (const file of kneeMr) await harness.archive.ingest(file, { kind: 'import', source: 'form-test' }, b);
    recordA = (await db.patient.findFirstOrThrow({ where: { facilityId: a, patientId: 'R-200' } })).id;
    recordB = (await db.patient.findFirstOrThrow({ where: { facilityId: b, patientId: 'CL-9' } })).id;
    const third = await createFacility(db, 'Third Clinic');
    ids.memberA = (await createUser(db, { memberships: [{ facilityId: a, role: 'REFERRING' }] })).id;
    ids.memberAB = (await createUser(db, { memberships: [{ facilityId: a, role: 'REFERRING' }, { facilityId: b, role: 'REFERRING' }] })).id;
    ids.grantee = (await createUser(db, { memberships: [{ facilityId: b, role: 'EXPERT' }] })).id;
    ids.outsider = (await createUser(db, { memberships: [{ facilityId: third.id, role: 'EXPERT' }] })).id;
    // The patient agreed to share their images with the region's facilities, and
    // B's expert reads A's head CT through a teleconsultation A's doctor opened
    await permitSharing(db, recordA);
    await createConsultation(db, { facilityId: a, studyInstanceUid: headCt.studyInstanceUid, participants: [{ userId: ids.memberA, role: 'HOST' }, { userId: ids.grantee, role: 'PARTICIPANT' }] });
  });
  after(async () => {
    await harness?.cleanup();
  });

  const uidsOf = (choices: Awaited<ReturnType<typeof referralFormChoices>>) => {
    assert.ok(choices && choices !== 'not-shareable', `choices: ${String(choices)}`);
    return choices.studies.map((entry) => entry.studyInstanceUid);
  };

  it('a member of A: the given study first, then A’s other study; B’s, which they cannot read, is not offered', async () => {
    const choices = await referralFormChoices(harness, ids.memberA, { studyInstanceUid: headCt.studyInstanceUid });
    assert.deepEqual(uidsOf(choices), [headCt.studyInstanceUid, chestCt.studyInstanceUid]);
    assert.ok(choices && choices !== 'not-shareable');
    assert.equal(choices.patient.id, recordA);
    assert.equal(choices.patient.patientId, 'R-200');
    assert.equal(choices.patient.birthDate, '19700412');
    assert.equal(choices.patient.sex, 'F');
    assert.deepEqual(choices.studies[1].modalities, ['CT']);
  });

  it('a member of A and B: the linked record’s study too, newest first after the given one, with its facility', async () => {
    const choices = await referralFormChoices(harness, ids.memberAB, { studyInstanceUid: headCt.studyInstanceUid });
    assert.deepEqual(uidsOf(choices), [headCt.studyInstanceUid, chestCt.studyInstanceUid, kneeMr.studyInstanceUid]);
    assert.ok(choices && choices !== 'not-shareable');
    assert.equal(choices.studies[2].facilityName, 'Other Clinic');
    // From the patient: the newest study is the one preselected
    assert.deepEqual(uidsOf(await referralFormChoices(harness, ids.memberAB, { patientRef: recordB })), [chestCt.studyInstanceUid, kneeMr.studyInstanceUid, headCt.studyInstanceUid]);
  });

  it('a study read only through a grant is not the caller’s to share: not the subject, not a prior; createReferral refuses it too', async () => {
    assert.equal(await referralFormChoices(harness, ids.grantee, { studyInstanceUid: headCt.studyInstanceUid }), 'not-shareable');
    assert.equal(await referralFormChoices(harness, ids.grantee, { patientRef: recordA }), 'not-shareable');
    // Their own clinic's record of her: only the knee MR, though the linked head CT is open to them through the grant
    assert.deepEqual(uidsOf(await referralFormChoices(harness, ids.grantee, { patientRef: recordB })), [kneeMr.studyInstanceUid]);
    const service = await harness.db.service.create({ data: { facilityId: harness.facilityId, name: 'Radiology' } });
    await assert.rejects(
      createReferral(harness, { userId: ids.grantee, email: 'grantee@test', ip: '127.0.0.1' }, { studyInstanceUids: [kneeMr.studyInstanceUid, headCt.studyInstanceUid], question: 'Q', addressee: { serviceId: service.id } }),
      (error: unknown) => (error as { code?: string }).code === 'NOT_FOUND',
    );
  });

  it('an outsider, an unknown study or record: null (the page answers "not found")', async () => {
    assert.equal(await referralFormChoices(harness, ids.outsider, { studyInstanceUid: headCt.studyInstanceUid }), null);
    assert.equal(await referralFormChoices(harness, ids.outsider, { patientRef: recordA }), null);
    assert.equal(await referralFormChoices(harness, ids.memberA, { studyInstanceUid: '1.2.3.4.5.999' }), null);
    assert.equal(await referralFormChoices(harness, ids.memberA, { patientRef: 'no-such-record' }), null);
  });
});
