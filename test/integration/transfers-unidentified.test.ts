// An unidentified emergency patient (issue 17, lib/transfers) on a real node (SQLite, or
// PostgreSQL with TEST_DATABASE=postgres): the notice is sent before any image, under a
// temporary ID; the CT arriving through the archive under that Patient ID joins the notice by
// itself and is granted to the receiving service on the vital-interest basis; the sending
// team then names the real record, which becomes the notice's, linked to the temporary one,
// and the notice shows in the patient's record for the sending facility's other members.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hashPassword } from '../../lib/auth';
import { sendTransfer } from '../../lib/transfers/send-transfer';
import { getTransfer } from '../../lib/transfers/get-transfer';
import { identifyTransferPatient } from '../../lib/transfers/identify-transfer-patient';
import { transfersOfPatient } from '../../lib/transfers/patient-transfers';
import { createFacility, createUser } from '../../lib/policy/test-fixtures';
import { makeStudy } from '../support/fixtures';
import { startTestServer, type TestServer } from '../support/test-server';

describe('transfer notice for an unidentified patient', () => {
  let server: TestServer;
  const people: Record<string, { userId: string; email: string; ip: string; actingFacilityId: string }> = {};
  let district: string;
  let stroke: string;
  before(async () => {
    server = await startTestServer({});
    const db = server.node.db;
    district = (await createFacility(db, 'District')).id;
    const regional = (await createFacility(db, 'Regional')).id;
    const passwordHash = await hashPassword('pw pw pw pw pw');
    const make = async (key: string, facilityId: string, role: 'EMERGENCY' | 'EXPERT' | 'REFERRING') => {
      const user = await createUser(db, { email: `${key}@x.example`, name: key, passwordHash, memberships: [{ facilityId, role }] });
      people[key] = { userId: user.id, email: `${key}@x.example`, ip: '127.0.0.1', actingFacilityId: facilityId };
    };
    await make('sender', district, 'EMERGENCY');
    await make('neuro', regional, 'EXPERT');
    await make('gp', district, 'REFERRING');
    stroke = (await db.service.create({ data: { facilityId: regional, name: 'Stroke unit' } })).id;
    await db.serviceMember.create({ data: { serviceId: stroke, userId: people.neuro.userId } });
  });
  after(() => server?.stop());

  it('unidentified: images arriving under the temporary ID join the notice', async () => {
    const context = server.node.runtime;
    const sent = await sendTransfer(context, people.sender, { clientKey: 'abcdefgh2', serviceId: stroke, condition: 'TRAUMA', etaMinutes: 30, unidentified: true });
    const view = await getTransfer(context, people.sender, sent.id);
    assert.equal(view.patient.ref, null);
    assert.match(view.patient.patientId, /^EM-\d{8}-[A-Z2-9]{4}$/);
    assert.equal(await server.node.db.accessGrant.count({ where: { sourceType: 'transfer', sourceId: sent.id } }), 0, 'no image, no grant yet');
    const ct = makeStudy({ series: 1, instancesPerSeries: 2, seed: 'tx-smoke2', patientId: view.patient.patientId, patientName: 'Unknown^Trauma', studyDescription: 'CT POLYTRAUMA' });
    for (const file of ct) await server.node.archive.ingest(file, { kind: 'import', source: 't' }, district);
    const deadline = Date.now() + 10_000;
    let studies = 0;
    while (Date.now() < deadline) {
      studies = (await server.node.db.transferStudy.count({ where: { noticeId: sent.id } }));
      if (studies) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(studies, 1);
    const after = await getTransfer(context, people.neuro, sent.id);
    assert.equal(after.patient.name, 'Unknown^Trauma', 'the record the images made');
    assert.deepEqual(after.studies.map((s) => [s.description, s.instances]), [['CT POLYTRAUMA', 2]]);
    assert.deepEqual(after.timeline.map((t) => [t.words, t.by]), [['Sent', 'sender'], ['Study added', null], ['Seen', 'neuro']]);
    const grants = await server.node.db.accessGrant.findMany({ where: { sourceType: 'transfer', sourceId: sent.id } });
    assert.equal(grants[0].legalBasis, 'VITAL_INTEREST');
    // the real record
    const real = makeStudy({ series: 1, instancesPerSeries: 1, seed: 'tx-smoke2-old', patientId: 'MRN-77', patientName: 'Real^Person', studyDescription: 'CT OLD' });
    for (const file of real) await server.node.archive.ingest(file, { kind: 'import', source: 't' }, district);
    const realRef = (await server.node.db.patient.findFirstOrThrow({ where: { facilityId: district, patientId: 'MRN-77' } })).id;
    await identifyTransferPatient(context, people.sender, sent.id, { patientRef: realRef });
    const final = await getTransfer(context, people.gp, sent.id);
    assert.deepEqual(final.sides, ['RECORD'], 'a colleague of the sending facility reads it in the record');
    assert.deepEqual([final.patient.patientId, final.patient.name, final.patient.unidentified], ['MRN-77', 'Real^Person', false]);
    assert.ok(Object.values(final.may).every((may) => !may), 'read only');
    assert.equal(final.timeline.at(-1)?.words, 'Patient identified');
    const links = await server.node.db.patientLink.findMany({ where: { unlinkedAt: null, method: 'TRANSFER_IDENTIFY' }, select: { patientRef: true, personRef: true } });
    assert.deepEqual(links.map((link) => link.patientRef).sort(), [after.patient.ref!, realRef].sort());
    assert.equal(new Set(links.map((link) => link.personRef)).size, 1, 'one person');
    const record = await transfersOfPatient(context, people.gp, realRef);
    assert.deepEqual(record.map((row) => [row.conditionWords, row.status, row.images.studies, row.images.instances]), [['Major trauma', 'SENT', 1, 2]]);
    await assert.rejects(identifyTransferPatient(context, people.sender, sent.id, { patientRef: realRef }), (error: Error & { code?: string }) => error.code === 'CONFLICT');
  });
});
