// What the worklist and the patient page read of the data bridge (issue 18),
// on SQLite or PostgreSQL: the procedures scheduled and not yet imaged of the
// reader's facilities, soonest first, with the form's filters; the patient's
// orders and merge history for members of its facility — and nothing of them
// for a reader who sees the patient through a granted study only.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createConsultation, createFacility, createUser } from '../../lib/policy/test-fixtures';
import { viewPatientHistory } from '../../lib/search/view-patient-history';
import { viewWorklist } from '../../lib/search/view-worklist';
import { parseWorklistRequest } from '../../lib/search/worklist';
import { permitSharing } from '../support/consent';
import { startTestServer, type TestServer } from '../support/test-server';

function day(offset: number): string {
  return new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
}

describe('scheduled procedures, orders and merges as readers see them', () => {
  let server: TestServer;
  let home = '';
  let patientRef = '';
  const readers = { member: { id: '', memberships: [] as { facilityId: string }[] }, guest: { id: '', memberships: [] as { facilityId: string }[] }, other: { id: '', memberships: [] as { facilityId: string }[] } };

  const scheduled = async (viewer: { id: string }, query = '') => {
    const result = await viewWorklist(server.node, viewer, parseWorklistRequest(new URLSearchParams(query)).request);
    return result.scheduled && result.scheduled.rows.map((row) => row.accessionNumber);
  };

  before(async () => {
    server = await startTestServer();
    const db = server.node.db;
    home = (await createFacility(db, 'Lake Hospital')).id;
    const other = (await createFacility(db, 'Hill Clinic')).id;
    readers.member = { id: (await createUser(db, { memberships: [{ facilityId: home, role: 'EXPERT' }] })).id, memberships: [{ facilityId: home }] };
    readers.guest = { id: (await createUser(db, { memberships: [{ facilityId: other, role: 'EXPERT' }] })).id, memberships: [{ facilityId: other }] };
    readers.other = readers.guest;
    const patient = await db.patient.create({ data: { facilityId: home, patientId: 'MRN-4242', issuer: 'HOSP', name: 'KOWALSKA^MARIA', nameSearch: 'KOWALSKA MARIA', sex: 'F', birthDate: '19630517' } });
    patientRef = patient.id;
    const study = await db.study.create({ data: { facilityId: home, patientRef, studyInstanceUid: '2.25.999001', studyDate: day(-2), modalities: 'CT' } });
    const order = (accession: string, data: Record<string, unknown>) =>
      db.imagingOrder.create({ data: { facilityId: home, patientRef, placerOrderNumber: accession, accessionNumber: accession, studyInstanceUid: `2.25.${accession.replace(/\D/g, '')}`, stepId: '1', modality: 'CT', ...data } });
    await order('A-1', { scheduledDate: day(1), scheduledTime: '090000', requestedProcedureText: 'CT Chest' });
    await order('A-2', { scheduledDate: day(0), scheduledTime: '160000', status: 'IN_PROGRESS', requestedProcedureText: 'CT Abdomen' });
    await order('A-3', { scheduledDate: day(0), scheduledTime: '080000', modality: 'MR', requestedProcedureText: 'MR Knee' });
    await order('A-4', { scheduledDate: day(-2), status: 'IMAGES_RECEIVED', studyRef: study.id, imagesReceivedAt: new Date(), instancesReceived: 12 });
    await order('A-5', { scheduledDate: day(1), status: 'CANCELLED' });
    await order('A-6', { scheduledDate: day(-30), requestedProcedureText: 'Forgotten' });
    // Another facility's patient and order: never on this facility's lists
    const stranger = await db.patient.create({ data: { facilityId: other, patientId: 'X-1', name: 'KOWALSKA^EWA' } });
    await db.imagingOrder.create({ data: { facilityId: other, patientRef: stranger.id, accessionNumber: 'B-1', studyInstanceUid: '2.25.777', stepId: '1', scheduledDate: day(0) } });
    await db.patientMerge.create({ data: { facilityId: home, survivingRef: patientRef, mergedRef: patientRef, mergedPatientId: 'MRN-0099', mergedName: 'KOVALSKA^MARIA', studiesMoved: 1, source: 'HL7' } });
    // The other facility's reader sees the patient's one study through a teleconsultation grant
    await permitSharing(db, patientRef);
    const host = await createUser(db, { memberships: [{ facilityId: home, role: 'EXPERT' }] });
    await createConsultation(db, { facilityId: home, studyInstanceUid: study.studyInstanceUid, participants: [{ userId: host.id, role: 'HOST' }, { userId: readers.guest.id, role: 'PARTICIPANT' }] });
  });

  after(async () => {
    await server?.stop();
  });

  it('lists the open orders of the reader’s facilities, soonest first, a week back', async () => {
    assert.deepEqual(await scheduled(readers.member), ['A-3', 'A-2', 'A-1']);
    assert.deepEqual(await scheduled(readers.other), ['B-1'], 'a grant on one study opens no orders');
  });

  it('applies the form’s filters where an order has the field', async () => {
    assert.deepEqual(await scheduled(readers.member, 'modality=CT'), ['A-2', 'A-1']);
    assert.deepEqual(await scheduled(readers.member, 'name=kowal mar'), ['A-3', 'A-2', 'A-1']);
    assert.deepEqual(await scheduled(readers.member, 'name=smith'), []);
    assert.deepEqual(await scheduled(readers.member, 'mrn=4242&accession=A-1'), ['A-1']);
    assert.deepEqual(await scheduled(readers.member, 'description=abdomen'), ['A-2']);
    const from = `${day(-31).slice(0, 4)}-${day(-31).slice(4, 6)}-${day(-31).slice(6)}`;
    assert.deepEqual(await scheduled(readers.member, `dateFrom=${from}`), ['A-6', 'A-3', 'A-2', 'A-1'], 'older ones with the dates');
    assert.equal(await scheduled(readers.member, 'report=final'), null, 'a report filter asks about studies only');
    assert.equal(await scheduled(readers.member, 'ageFrom=40'), null);
  });

  it('gives the patient page the orders and the merge history for members, nothing for a reader through a grant', async () => {
    const opened = await viewPatientHistory(server.node, readers.member, patientRef);
    assert.ok(opened);
    assert.deepEqual(
      opened.orders.map((order) => [order.accessionNumber, order.status, order.studyInstanceUid]),
      [
        ['A-1', 'SCHEDULED', null],
        ['A-5', 'CANCELLED', null],
        ['A-2', 'IN_PROGRESS', null],
        ['A-3', 'SCHEDULED', null],
        ['A-4', 'IMAGES_RECEIVED', '2.25.999001'],
        ['A-6', 'SCHEDULED', null],
      ],
    );
    assert.deepEqual(opened.merges.map((merge) => [merge.mergedPatientId, merge.mergedName, merge.studiesMoved, merge.source]), [['MRN-0099', 'KOVALSKA^MARIA', 1, 'HL7']]);
    const throughGrant = await viewPatientHistory(server.node, readers.guest, patientRef);
    assert.ok(throughGrant, 'the granted study opens the patient page');
    assert.deepEqual([throughGrant.orders, throughGrant.merges], [[], []]);
  });
});
