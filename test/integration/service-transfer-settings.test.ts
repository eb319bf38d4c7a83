// Issue 17, the facility administrator's side of emergency transfers, through
// the domain operations on a real node (SQLite or PostgreSQL): a service's
// escalation minutes (1–60) and image access hours (1–168) are set, refused
// per field, audited with the service's other fields and used by the next
// notice sent to it (escalation job time, grant end); a member is put on and
// taken off the on-call list (the escalation's addressees), audited; anyone
// but the facility's (or the node's) administrators gets NOT_FOUND.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AdminActor } from '../../lib/admin/context';
import { isAdminError } from '../../lib/admin/errors';
import { auditQueueFor } from '../../lib/audit/audit-queue';
import { hashPassword } from '../../lib/auth';
import { isPolicyError } from '../../lib/policy';
import { alarmedMembersOf } from '../../lib/policy/transfer-access';
import { createFacility, createUser } from '../../lib/policy/test-fixtures';
import { addServiceMember } from '../../lib/services/add-service-member';
import { createService } from '../../lib/services/create-service';
import { listServices } from '../../lib/services/list-services';
import { setServiceMemberOnCall } from '../../lib/services/set-on-call';
import { updateService } from '../../lib/services/update-service';
import { sendTransfer } from '../../lib/transfers/send-transfer';
import { makeStudy } from '../support/fixtures';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from '../support/test-server';

const notFound = (error: unknown) => isPolicyError(error) && error.code === 'NOT_FOUND';
/** INVALID_INPUT with exactly these fields, each message matching */
const invalid = (expected: Record<string, RegExp>) => (error: unknown) => {
  assert.ok(isAdminError(error), String(error));
  assert.equal(error.code, 'INVALID_INPUT');
  assert.deepEqual(Object.keys(error.fields).sort(), Object.keys(expected).sort());
  for (const [field, message] of Object.entries(expected)) assert.match(error.fields[field], message);
  return true;
};

describe('a service\'s emergency transfer settings and on-call list', { timeout: 5 * 60_000 }, () => {
  let server: TestServer;
  let regionalId: string;
  let districtId: string;
  let serviceId: string;
  const people: Record<'node' | 'admin' | 'neuro' | 'nurse' | 'otherAdmin' | 'sender', AdminActor> = {} as never;
  const context = () => server.node.runtime;
  const stroke = async () => (await listServices(context(), people.admin.userId, regionalId)).services.find((service) => service.id === serviceId)!;
  async function audits(action: string) {
    await auditQueueFor(server.node.runtime).flush();
    return server.node.db.auditEvent.findMany({ where: { action, resource: `service:${serviceId}` }, orderBy: { at: 'asc' } });
  }

  before(async () => {
    server = await startTestServer();
    const db = server.node.db;
    regionalId = (await createFacility(db, 'Regional Hospital')).id;
    districtId = (await createFacility(db, 'District Hospital')).id;
    const admin = await db.user.findUniqueOrThrow({ where: { email: TEST_ADMIN_EMAIL } });
    people.node = { userId: admin.id, email: admin.email, ip: '127.0.0.1' };
    const passwordHash = await hashPassword('service transfer settings');
    const make = async (key: keyof typeof people, facilityId: string, role: 'ADMIN' | 'EXPERT' | 'EMERGENCY') => {
      const email = `${key}@transfer-settings.example`;
      const user = await createUser(db, { email, passwordHash, memberships: [{ facilityId, role }] });
      people[key] = { userId: user.id, email, ip: '127.0.0.1' };
    };
    await make('admin', regionalId, 'ADMIN');
    await make('neuro', regionalId, 'EXPERT');
    await make('nurse', regionalId, 'EXPERT');
    await make('otherAdmin', districtId, 'ADMIN');
    await make('sender', districtId, 'EMERGENCY');
    serviceId = (await createService(context(), people.admin, regionalId, { name: 'Stroke unit' })).id;
    await addServiceMember(context(), people.admin, regionalId, serviceId, { userId: people.neuro.userId });
    await addServiceMember(context(), people.admin, regionalId, serviceId, { userId: people.nurse.userId });
  });
  after(async () => {
    await server?.stop();
  });

  it('sets escalation minutes and access hours, refuses wrong values per field with nothing stored, and audits each change', async () => {
    const defaults = await stroke();
    assert.deepEqual([defaults.transferEscalationMinutes, defaults.transferAccessHours], [2, 24], 'escalate after 2 minutes, images for 24 hours until changed');

    await updateService(context(), people.admin, regionalId, serviceId, { transferEscalationMinutes: 5, transferAccessHours: 48 });
    assert.deepEqual([(await stroke()).transferEscalationMinutes, (await stroke()).transferAccessHours], [5, 48]);

    const refusals: [unknown, Record<string, RegExp>][] = [
      [{ transferEscalationMinutes: 0 }, { transferEscalationMinutes: /^Escalate after: between 1 and 60 minutes$/ }],
      [{ transferEscalationMinutes: 61 }, { transferEscalationMinutes: /^Escalate after: between 1 and 60 minutes$/ }],
      [{ transferEscalationMinutes: 2.5 }, { transferEscalationMinutes: /^Escalate after: whole minutes$/ }],
      [{ transferEscalationMinutes: '3' }, { transferEscalationMinutes: /^Escalate after: enter a number of minutes$/ }],
      [{ transferAccessHours: 0 }, { transferAccessHours: /^Images readable for: between 1 and 168 hours \(7 days\)$/ }],
      [{ transferAccessHours: 169 }, { transferAccessHours: /^Images readable for: between 1 and 168 hours \(7 days\)$/ }],
      [{ transferAccessHours: null }, { transferAccessHours: /^Images readable for: enter a number of hours$/ }],
      // Both wrong: both named; one wrong with one right: nothing stored, the wrong one named
      [{ transferEscalationMinutes: -1, transferAccessHours: 1.5 }, { transferEscalationMinutes: /between 1 and 60 minutes/, transferAccessHours: /^Images readable for: whole hours$/ }],
      [{ transferEscalationMinutes: 10, transferAccessHours: 1000 }, { transferAccessHours: /between 1 and 168 hours/ }],
    ];
    for (const [input, expected] of refusals) await assert.rejects(updateService(context(), people.admin, regionalId, serviceId, input), invalid(expected), JSON.stringify(input));
    assert.deepEqual([(await stroke()).transferEscalationMinutes, (await stroke()).transferAccessHours], [5, 48], 'nothing refused was stored');

    // The limits themselves are allowed; a node administrator may change them too
    await updateService(context(), people.admin, regionalId, serviceId, { transferEscalationMinutes: 1, transferAccessHours: 168 });
    await updateService(context(), people.node, regionalId, serviceId, { transferEscalationMinutes: 60, transferAccessHours: 1 });
    await updateService(context(), people.admin, regionalId, serviceId, { transferEscalationMinutes: 5, transferAccessHours: 48 });

    const updates = await audits('admin.service.update');
    assert.equal(updates.length, 4, 'one per accepted change, none for the refusals');
    assert.deepEqual(JSON.parse(updates[0].details).change, { transferEscalationMinutes: 5, transferAccessHours: 48 });
    assert.deepEqual(
      [JSON.parse(updates[0].details).before.transferEscalationMinutes, JSON.parse(updates[0].details).before.transferAccessHours],
      [2, 24],
      'the audit keeps what it was before',
    );
    assert.equal(updates[2].actorUserId, people.node.userId);
  });

  it('refuses the settings to anyone but the facility\'s administrators (NOT_FOUND), and a service of another facility', async () => {
    for (const key of ['neuro', 'otherAdmin', 'sender'] as const) {
      await assert.rejects(updateService(context(), people[key], regionalId, serviceId, { transferEscalationMinutes: 30 }), notFound, key);
    }
    // The district's admin, naming their own facility: the regional service is unknown there
    await assert.rejects(updateService(context(), people.otherAdmin, districtId, serviceId, { transferEscalationMinutes: 30 }), notFound);
    assert.equal((await stroke()).transferEscalationMinutes, 5, 'nothing changed');
  });

  it('puts a member on call and takes them off, audited once per change; the escalation tells only those on call', async () => {
    assert.deepEqual(await alarmedMembersOf(server.node.db, serviceId, { onCallOnly: true }), [], 'nobody is on call in a new service');
    assert.deepEqual(await setServiceMemberOnCall(context(), people.admin, regionalId, serviceId, people.neuro.userId, { onCall: true }), { onCall: true, changed: true });
    assert.deepEqual(await setServiceMemberOnCall(context(), people.admin, regionalId, serviceId, people.neuro.userId, { onCall: true }), { onCall: true, changed: false }, 'again: nothing to change');
    assert.deepEqual(await alarmedMembersOf(server.node.db, serviceId, { onCallOnly: true }), [people.neuro.userId]);
    assert.deepEqual(
      (await stroke()).members.map((member) => [member.email, member.onCall]),
      [
        [people.neuro.email, true],
        [people.nurse.email, false],
      ],
    );
    // Every member still hears the alarm itself
    assert.deepEqual((await alarmedMembersOf(server.node.db, serviceId)).sort(), [people.neuro.userId, people.nurse.userId].sort());

    await setServiceMemberOnCall(context(), people.node, regionalId, serviceId, people.nurse.userId, { onCall: true });
    await setServiceMemberOnCall(context(), people.admin, regionalId, serviceId, people.neuro.userId, { onCall: false });
    assert.deepEqual(await alarmedMembersOf(server.node.db, serviceId, { onCallOnly: true }), [people.nurse.userId]);

    const changes = await audits('admin.service.member.on_call');
    assert.deepEqual(
      changes.map((event) => [event.facilityId, event.actorUserId, JSON.parse(event.details)]),
      [
        [regionalId, people.admin.userId, { userId: people.neuro.userId, onCall: true, before: false }],
        [regionalId, people.node.userId, { userId: people.nurse.userId, onCall: true, before: false }],
        [regionalId, people.admin.userId, { userId: people.neuro.userId, onCall: false, before: true }],
      ],
    );
  });

  it('refuses a wrong on-call value, a person not in the service, and anyone but the facility\'s administrators', async () => {
    for (const input of [{}, { onCall: 'yes' }, { onCall: true, extra: 1 }]) {
      await assert.rejects(setServiceMemberOnCall(context(), people.admin, regionalId, serviceId, people.nurse.userId, input), (error: unknown) => isAdminError(error) && error.code === 'INVALID_INPUT', JSON.stringify(input));
    }
    await assert.rejects(setServiceMemberOnCall(context(), people.admin, regionalId, serviceId, people.admin.userId, { onCall: true }), notFound, 'the admin is no member of the service');
    await assert.rejects(setServiceMemberOnCall(context(), people.admin, regionalId, serviceId, 'no-such-user', { onCall: true }), notFound);
    for (const key of ['neuro', 'nurse', 'otherAdmin', 'sender'] as const) {
      await assert.rejects(setServiceMemberOnCall(context(), people[key], regionalId, serviceId, people.nurse.userId, { onCall: false }), notFound, key);
    }
    await assert.rejects(setServiceMemberOnCall(context(), people.otherAdmin, districtId, serviceId, people.nurse.userId, { onCall: false }), notFound);
    assert.deepEqual(await alarmedMembersOf(server.node.db, serviceId, { onCallOnly: true }), [people.nurse.userId], 'nothing changed');
  });

  it('uses the settings for the next notice sent to the service: its escalation job time and the end of its image grant', async () => {
    const db = server.node.db;
    const study = makeStudy({ series: 1, instancesPerSeries: 1, seed: 'transfer-settings', patientId: 'TS-1', patientName: 'Settings^Sam', studyDescription: 'CT HEAD' });
    for (const file of study) await server.node.archive.ingest(file, { kind: 'import', source: 'test' }, districtId);
    const sender = { ...people.sender, actingFacilityId: districtId };
    const sent = await sendTransfer(context(), sender, { clientKey: 'transfer-settings-1', serviceId, condition: 'STROKE', etaMinutes: 30, studyInstanceUids: [study.studyInstanceUid] });
    const notice = await db.transferNotice.findUniqueOrThrow({ where: { id: sent.id } });
    const job = await db.job.findFirstOrThrow({ where: { type: 'transfer.escalate', key: { startsWith: `${sent.id}:` } } });
    assert.equal(job.runAt.getTime() - notice.alarmSince.getTime(), 5 * 60_000, 'escalates after the service\'s 5 minutes');
    const grants = await db.accessGrant.findMany({ where: { sourceType: 'transfer', sourceId: sent.id } });
    assert.ok(grants.length > 0);
    for (const grant of grants) assert.equal(grant.validUntil!.getTime() - notice.etaAt.getTime(), 48 * 3600_000, 'readable 48 hours after the ETA');
  });
});
