import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';
import { createFacility, createUser } from '../policy/test-fixtures';
import { isPolicyError } from '../policy';
import { AUDIT_PAGE_SIZE, findAuditEventPage, resolveAuditQuery, streamAuditEvents, summarizeDetails, type AuditQuery } from './audit-query';

describe('audit query', () => {
  let testDb: TestDatabase;
  let north: { id: string; code: string };
  let south: { id: string; code: string };
  let northAdmin: string;
  let bothAdmin: string;
  let plainMember: string;
  let northMemberEmail: string;

  const event = (data: { at: string; facilityId: string | null; action?: string; outcome?: string; actor?: string; patientId?: string; studyUid?: string; sourceIp?: string }) => ({
    actor: 'doctor@north.example',
    action: 'dicomweb.wado',
    outcome: 'SUCCESS',
    ...data,
    at: new Date(data.at),
  });

  before(async () => {
    testDb = await createTestDatabase();
    const { db } = testDb;
    north = await createFacility(db, 'North');
    south = await createFacility(db, 'South');
    northAdmin = (await createUser(db, { memberships: [{ facilityId: north.id, role: 'ADMIN' }, { facilityId: south.id, role: 'EXPERT' }] })).id;
    bothAdmin = (await createUser(db, { memberships: [{ facilityId: north.id, role: 'ADMIN' }, { facilityId: south.id, role: 'ADMIN' }] })).id;
    plainMember = (await createUser(db, { memberships: [{ facilityId: north.id, role: 'REFERRING' }] })).id;
    await db.auditEvent.createMany({
      data: [
        event({ at: '2026-11-01T00:00:00Z', facilityId: north.id, patientId: 'P1', studyUid: '1.2.3', sourceIp: '10.1.0.5' }),
        event({ at: '2026-11-01T23:59:59.999Z', facilityId: north.id, patientId: 'P2', action: 'dicomweb.qido', sourceIp: '10.2.0.5' }),
        event({ at: '2026-11-02T00:00:00Z', facilityId: north.id, patientId: 'P1', actor: 'AE:CT1', action: 'dimse.c-store', sourceIp: '192.168.1.9' }),
        event({ at: '2026-11-03T12:00:00Z', facilityId: north.id, patientId: 'P3', outcome: 'DENIED', action: 'dicomweb.read' }),
        event({ at: '2026-11-01T10:00:00Z', facilityId: south.id, patientId: 'P1', actor: 'doctor@south.example' }),
        event({ at: '2026-11-01T11:00:00Z', facilityId: null, actor: 'anonymous', action: 'auth.sign_in', outcome: 'FAILURE' }),
      ],
    });
    northMemberEmail = (await testDb.db.user.findUniqueOrThrow({ where: { id: plainMember } })).email;
  });
  after(async () => {
    await testDb?.cleanup();
  });

  async function query(userId: string, params: Record<string, string>): Promise<AuditQuery> {
    const resolved = await resolveAuditQuery(testDb, userId, new URLSearchParams(params));
    assert.ok(resolved.ok, JSON.stringify(!resolved.ok && resolved.errors));
    return resolved.query;
  }
  async function patientsOf(userId: string, params: Record<string, string> = {}) {
    const page = await findAuditEventPage(testDb, await query(userId, params));
    return page.events.map((e) => `${e.patientId ?? '-'}@${e.at.toISOString()}`);
  }

  it('shows an administrator only the events of the facilities they administer, newest first', async () => {
    const page = await findAuditEventPage(testDb, await query(northAdmin, {}));
    assert.equal(page.total, 4);
    assert.ok(page.events.every((e) => e.facilityId === north.id));
    assert.deepEqual(
      page.events.map((e) => e.at.toISOString()),
      ['2026-11-03T12:00:00.000Z', '2026-11-02T00:00:00.000Z', '2026-11-01T23:59:59.999Z', '2026-11-01T00:00:00.000Z'],
    );
    // EXPERT in South does not open South's log; an ADMIN of both sees both.
    assert.equal((await findAuditEventPage(testDb, await query(bothAdmin, {}))).total, 5);
    assert.equal((await findAuditEventPage(testDb, await query(bothAdmin, { facility: south.code }))).total, 1);
  });

  it("includes the facility-less events (searches, sign-ins) of the facility's own members, and nobody else's", async () => {
    const { db } = testDb;
    const stranger = await createUser(db, { memberships: [{ facilityId: south.id, role: 'REFERRING' }] });
    await db.auditEvent.createMany({
      data: [
        { ...event({ at: '2026-11-04T08:00:00Z', facilityId: null, action: 'dicomweb.qido', patientId: 'MEMBER-SEARCH' }), actor: northMemberEmail, actorUserId: plainMember },
        { ...event({ at: '2026-11-04T08:00:00Z', facilityId: null, action: 'dicomweb.qido', patientId: 'STRANGER-SEARCH' }), actorUserId: stranger.id },
      ],
    });
    try {
      const north = await findAuditEventPage({ db }, await query(northAdmin, { from: '2026-11-04', to: '2026-11-04' }));
      assert.deepEqual(north.events.map((e) => e.patientId), ['MEMBER-SEARCH']);
      const southOnly = await findAuditEventPage({ db }, await query(bothAdmin, { facility: south.code, from: '2026-11-04', to: '2026-11-04' }));
      assert.deepEqual(southOnly.events.map((e) => e.patientId), ['STRANGER-SEARCH']);
      // The anonymous failed sign-in belongs to nobody's facility.
      assert.equal((await findAuditEventPage({ db }, await query(bothAdmin, { action: 'auth.*' }))).total, 0);
    } finally {
      await db.auditEvent.deleteMany({ where: { at: new Date('2026-11-04T08:00:00Z') } });
    }
  });

  it('does not exist for a user who administers nothing', async () => {
    for (const userId of [plainMember, 'no-such-user']) {
      await assert.rejects(resolveAuditQuery(testDb, userId, new URLSearchParams()), (error) => isPolicyError(error) && error.code === 'NOT_FOUND');
    }
  });

  it('answers a facility the viewer does not administer exactly like an unknown one: NOT_FOUND', async () => {
    for (const facility of [south.code, south.id, 'NOPE']) {
      await assert.rejects(
        resolveAuditQuery(testDb, northAdmin, new URLSearchParams({ facility })),
        (error) => isPolicyError(error) && error.code === 'NOT_FOUND' && error.message === 'not found',
      );
    }
  });

  it('narrows by patient, study, action family, outcome, actor and address prefix', async () => {
    assert.deepEqual(await patientsOf(northAdmin, { patientId: 'P1' }), ['P1@2026-11-02T00:00:00.000Z', 'P1@2026-11-01T00:00:00.000Z']);
    assert.deepEqual(await patientsOf(northAdmin, { studyUid: '1.2.3' }), ['P1@2026-11-01T00:00:00.000Z']);
    assert.equal(await patientsOf(northAdmin, { action: 'dicomweb.*' }).then((rows) => rows.length), 3);
    assert.deepEqual(await patientsOf(northAdmin, { action: 'dimse.c-store' }), ['P1@2026-11-02T00:00:00.000Z']);
    assert.deepEqual(await patientsOf(northAdmin, { outcome: 'denied' }), ['P3@2026-11-03T12:00:00.000Z']);
    assert.deepEqual(await patientsOf(northAdmin, { actor: 'ae:ct1' }), ['P1@2026-11-02T00:00:00.000Z']);
    assert.equal(await patientsOf(northAdmin, { actor: 'DOCTOR@NORTH' }).then((rows) => rows.length), 3);
    assert.equal(await patientsOf(northAdmin, { sourceIp: '10.' }).then((rows) => rows.length), 2);
    assert.deepEqual(await patientsOf(northAdmin, { sourceIp: '10.2.0.5' }), ['P2@2026-11-01T23:59:59.999Z']);
  });

  it('takes dates as whole UTC days, both ends included', async () => {
    assert.deepEqual(await patientsOf(northAdmin, { from: '2026-11-01', to: '2026-11-01' }), [
      'P2@2026-11-01T23:59:59.999Z',
      'P1@2026-11-01T00:00:00.000Z',
    ]);
    assert.deepEqual(await patientsOf(northAdmin, { from: '2026-11-02' }), ['P3@2026-11-03T12:00:00.000Z', 'P1@2026-11-02T00:00:00.000Z']);
    assert.deepEqual(await patientsOf(northAdmin, { to: '2026-10-31' }), []);
  });

  it('explains each bad filter precisely instead of failing', async () => {
    const resolved = await resolveAuditQuery(
      testDb,
      northAdmin,
      new URLSearchParams({
        studyUid: '1.2.abc',
        action: 'DROP TABLE;',
        outcome: 'MAYBE',
        from: '2026-02-30',
        to: 'yesterday',
        sourceIp: "10.0.0.1' OR 1=1",
        actor: 'x'.repeat(200),
        page: '0',
      }),
    );
    assert.equal(resolved.ok, false);
    const fields = !resolved.ok ? resolved.errors.map((error) => error.field).sort() : [];
    assert.deepEqual(fields, ['action', 'actor', 'from', 'outcome', 'page', 'sourceIp', 'studyUid', 'to']);
    assert.equal(!resolved.ok && resolved.values.outcome, 'MAYBE', 'the form shows back what was typed');

    const reversed = await resolveAuditQuery(testDb, northAdmin, new URLSearchParams({ from: '2026-11-05', to: '2026-11-01' }));
    assert.deepEqual(!reversed.ok && reversed.errors, [{ field: 'to', message: 'The end date is before the start date.' }]);
    for (const page of ['1.5', '-1', 'abc', '99999999']) {
      const resolvedPage = await resolveAuditQuery(testDb, northAdmin, new URLSearchParams({ page }));
      assert.equal(resolvedPage.ok, false, page);
    }
  });

  it('pages by a stable order and streams every row for the export', async () => {
    const { db } = testDb;
    const facility = await createFacility(db, 'Busy');
    const admin = (await createUser(db, { memberships: [{ facilityId: facility.id, role: 'ADMIN' }] })).id;
    // Many events in the same millisecond, as the group commit writes them: the id breaks ties.
    const at = new Date('2026-11-10T08:00:00Z');
    await db.auditEvent.createMany({
      data: Array.from({ length: AUDIT_PAGE_SIZE + 7 }, (_, n) => ({ at, actor: `user${n}@busy.example`, action: 'dicomweb.wado', outcome: 'SUCCESS', facilityId: facility.id })),
    });
    const first = await findAuditEventPage({ db }, await query(admin, {}));
    const second = await findAuditEventPage({ db }, await query(admin, { page: '2' }));
    assert.equal(first.total, AUDIT_PAGE_SIZE + 7);
    assert.equal(first.pageCount, 2);
    assert.equal(first.events.length, AUDIT_PAGE_SIZE);
    assert.equal(second.events.length, 7);
    const paged = [...first.events, ...second.events].map((e) => e.id);
    assert.equal(new Set(paged).size, AUDIT_PAGE_SIZE + 7, 'no event on two pages');

    const streamed: string[] = [];
    for await (const row of streamAuditEvents({ db }, await query(admin, {}), 1000, 10)) streamed.push(row.id);
    assert.deepEqual(streamed, paged, 'the export reads the same rows in the same order');
    const capped: string[] = [];
    for await (const row of streamAuditEvents({ db }, await query(admin, {}), 12, 10)) capped.push(row.id);
    assert.deepEqual(capped, paged.slice(0, 12));
  });

  it('summarizes details for the table', () => {
    assert.equal(summarizeDetails('{"level":"study","results":3}'), 'level: study, results: 3');
    assert.equal(summarizeDetails('{}'), '');
    assert.equal(summarizeDetails('{"eventId":"110112","level":"series"}'), 'level: series', 'the event ID is shown with the action');
    assert.ok(summarizeDetails(JSON.stringify({ long: 'x'.repeat(500) })).length <= 140);
  });
});
