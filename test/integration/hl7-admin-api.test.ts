// The HL7 tab's API (issue 18), through the route handlers as Next calls them,
// on a running node (SQLite or PostgreSQL): a facility admin registers and
// removes senders (HL7_SENDERS listed read-only), a pair taken anywhere is a
// 409 that names its facility only to that facility's admins, the message log
// and one message are read (audited), a failed message is processed again
// once its sender is registered — and anyone but the facility's admin gets 404.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GET as listSendersRoute, POST as createSenderRoute } from '../../app/api/admin/facilities/[facilityId]/hl7-senders/route';
import { DELETE as deleteSenderRoute } from '../../app/api/admin/facilities/[facilityId]/hl7-senders/[senderId]/route';
import { GET as listMessagesRoute } from '../../app/api/admin/facilities/[facilityId]/hl7-messages/route';
import { GET as viewMessageRoute } from '../../app/api/admin/facilities/[facilityId]/hl7-messages/[messageId]/route';
import { POST as reprocessRoute } from '../../app/api/admin/facilities/[facilityId]/hl7-messages/[messageId]/reprocess/route';
import { SESSION_COOKIE_NAME, createSession } from '../../lib/auth';
import { createFacility, createUser } from '../../lib/policy/test-fixtures';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from '../support/test-server';

// An ADT^A04 (register an outpatient) from a lab system nobody registered yet, as the listener stored it
const ADT_FROM_LAB = [
  'MSH|^~\\&|LABSYS|WARD7|TELEPACS|TELEPACS|20261207083000||ADT^A04^ADT_A01|LAB-0001|P|2.5.1',
  'EVN|A04|20261207083000',
  'PID|1||MRN-7001^^^HOSP^MR||MEIER^ANNA^LUISE||19710402|F',
  'PV1|1|O',
].join('\r');

interface SenderJson {
  id: string | null;
  application: string;
  sendingFacility: string;
  description: string;
  source: string;
}

describe('the HL7 tab of a facility administration (API)', () => {
  let server: TestServer;
  let home = '';
  let other = '';
  const users = { admin: '', member: '', outsider: '', both: '' };

  async function call(method: string, path: string, userId: string, body?: unknown): Promise<Request> {
    const url = new URL(path, server.url);
    const { token } = await createSession(server.node.db, { userId, ttlHours: 1 });
    return new Request(url, {
      method,
      headers: { origin: url.origin, host: url.host, cookie: `${SESSION_COOKIE_NAME}=${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  }
  const senders = async (userId: string, facilityId = home) =>
    listSendersRoute(await call('GET', `/api/admin/facilities/${facilityId}/hl7-senders`, userId), { params: Promise.resolve({ facilityId }) });
  const register = async (userId: string, body: unknown, facilityId = home) =>
    createSenderRoute(await call('POST', `/api/admin/facilities/${facilityId}/hl7-senders`, userId, body), { params: Promise.resolve({ facilityId }) });
  const remove = async (userId: string, senderId: string, facilityId = home) =>
    deleteSenderRoute(await call('DELETE', `/api/admin/facilities/${facilityId}/hl7-senders/${senderId}`, userId), { params: Promise.resolve({ facilityId, senderId }) });
  const messages = async (userId: string, query = '', facilityId = home) =>
    listMessagesRoute(await call('GET', `/api/admin/facilities/${facilityId}/hl7-messages${query}`, userId), { params: Promise.resolve({ facilityId }) });
  const message = async (userId: string, messageId: string, facilityId = home) =>
    viewMessageRoute(await call('GET', `/api/admin/facilities/${facilityId}/hl7-messages/${messageId}`, userId), { params: Promise.resolve({ facilityId, messageId }) });
  const reprocess = async (userId: string, messageId: string, facilityId = home) =>
    reprocessRoute(await call('POST', `/api/admin/facilities/${facilityId}/hl7-messages/${messageId}/reprocess`, userId), { params: Promise.resolve({ facilityId, messageId }) });

  before(async () => {
    server = await startTestServer({ env: { HL7_SENDERS: 'RIS^HOSP' } });
    const db = server.node.db;
    users.admin = (await db.user.findUniqueOrThrow({ where: { email: TEST_ADMIN_EMAIL } })).id;
    home = (await db.membership.findFirstOrThrow({ where: { userId: users.admin } })).facilityId;
    users.member = (await createUser(db, { email: 'radiologist@hospital.example', memberships: [{ facilityId: home, role: 'EXPERT' }] })).id;
    other = (await createFacility(db, 'Hill Clinic')).id;
    users.outsider = (await createUser(db, { email: 'admin@hill.example', memberships: [{ facilityId: other, role: 'ADMIN' }] })).id;
    users.both = (await createUser(db, { email: 'admin@both.example', memberships: [{ facilityId: home, role: 'ADMIN' }, { facilityId: other, role: 'ADMIN' }] })).id;
  });

  after(async () => {
    await server?.stop();
  });

  it('lists the configured sender read-only, registers one (audited), and lists it', async () => {
    const first = await senders(users.admin);
    assert.equal(first.status, 200);
    assert.deepEqual(((await first.json()) as { senders: SenderJson[] }).senders, [
      { id: null, application: 'RIS', sendingFacility: 'HOSP', description: '', source: 'configuration', createdAt: null },
    ]);
    const created = await register(users.admin, { application: ' ADT1 ', sendingFacility: 'GOOD HEALTH HOSPITAL', description: 'Main HIS' });
    assert.equal(created.status, 201);
    const { sender } = (await created.json()) as { sender: SenderJson };
    assert.deepEqual([sender.application, sender.sendingFacility, sender.description, sender.source], ['ADT1', 'GOOD HEALTH HOSPITAL', 'Main HIS', 'database']);
    const listed = ((await (await senders(users.admin)).json()) as { senders: SenderJson[] }).senders;
    assert.deepEqual(listed.map((row) => `${row.application}^${row.sendingFacility} ${row.source}`), ['RIS^HOSP configuration', 'ADT1^GOOD HEALTH HOSPITAL database']);
    const audit = await server.node.db.auditEvent.findFirstOrThrow({ where: { action: 'admin.hl7_sender.create' } });
    assert.equal(audit.actorUserId, users.admin);
    assert.equal(audit.facilityId, home);
    assert.deepEqual(JSON.parse(audit.details), { application: 'ADT1', sendingFacility: 'GOOD HEALTH HOSPITAL' });
  });

  it('refuses values with HL7 delimiters or out of length, naming the field', async () => {
    const response = await register(users.admin, { application: 'RIS|2', sendingFacility: 'x'.repeat(181) });
    assert.equal(response.status, 400);
    const body = (await response.json()) as { error: string; fields: Record<string, string> };
    assert.equal(body.error, 'INVALID_INPUT');
    assert.equal(body.fields.application, 'Without the HL7 delimiters | ^ ~ \\ &');
    assert.equal(body.fields.sendingFacility, 'Use at most 180 characters');
    const empty = (await (await register(users.admin, { application: '', sendingFacility: 'HOSP' })).json()) as { fields: Record<string, string> };
    assert.equal(empty.fields.application, 'Enter the sending application (MSH-3)');
  });

  it('refuses a pair taken anywhere with 409, naming the facility only to its administrators', async () => {
    const answer = async (response: Response) => [response.status, ((await response.json()) as { message: string }).message];
    // Its own admin, again
    assert.deepEqual(await answer(await register(users.admin, { application: 'ADT1', sendingFacility: 'GOOD HEALTH HOSPITAL' })), [409, 'ADT1^GOOD HEALTH HOSPITAL is already registered for this facility.']);
    // An admin of another facility who does not administer the holder: no name
    assert.deepEqual(await answer(await register(users.outsider, { application: 'ADT1', sendingFacility: 'GOOD HEALTH HOSPITAL' }, other)), [409, 'ADT1^GOOD HEALTH HOSPITAL is already registered.']);
    assert.deepEqual(await answer(await register(users.outsider, { application: 'RIS', sendingFacility: 'HOSP' }, other)), [409, 'RIS^HOSP is already registered.']);
    // Someone who administers both is told where
    const homeName = (await server.node.db.facility.findUniqueOrThrow({ where: { id: home } })).name;
    assert.deepEqual(await answer(await register(users.both, { application: 'ADT1', sendingFacility: 'GOOD HEALTH HOSPITAL' }, other)), [409, `ADT1^GOOD HEALTH HOSPITAL is already registered for ${homeName}.`]);
    assert.deepEqual(await answer(await register(users.both, { application: 'RIS', sendingFacility: 'HOSP' }, other)), [409, `RIS^HOSP is already configured in HL7_SENDERS for ${homeName}.`]);
    assert.equal(await server.node.db.hl7Sender.count(), 1);
  });

  it('answers 404 to a member who is not an admin and to another facility’s admin, and changes nothing', async () => {
    const sender = await server.node.db.hl7Sender.findFirstOrThrow();
    for (const userId of [users.member, users.outsider]) {
      for (const response of [await senders(userId), await register(userId, { application: 'X', sendingFacility: 'Y' }), await remove(userId, sender.id), await messages(userId)]) {
        assert.equal(response.status, 404);
        assert.deepEqual(await response.json(), { error: 'NOT_FOUND', message: 'Not found.' });
      }
    }
    // Another facility's sender id through one's own facility is not found either
    assert.equal((await remove(users.outsider, sender.id, other)).status, 404);
    assert.equal(await server.node.db.hl7Sender.count(), 1);
  });

  it('removes a sender (audited)', async () => {
    const sender = await server.node.db.hl7Sender.findFirstOrThrow();
    assert.equal((await remove(users.admin, sender.id)).status, 204);
    assert.equal(await server.node.db.hl7Sender.count(), 0);
    const audit = await server.node.db.auditEvent.findFirstOrThrow({ where: { action: 'admin.hl7_sender.delete' } });
    assert.equal(audit.resource, `hl7-sender:${sender.id}`);
    assert.equal((await remove(users.admin, sender.id)).status, 404);
  });

  it('shows an unknown sender’s refused message to the home facility’s admins, processes it again once the sender is registered', async () => {
    const db = server.node.db;
    const refused = await db.hl7Message.create({
      data: {
        direction: 'IN',
        raw: ADT_FROM_LAB,
        sendingApplication: 'LABSYS',
        sendingFacility: 'WARD7',
        messageType: 'ADT^A04',
        controlId: 'LAB-0001',
        version: '2.5.1',
        status: 'REJECTED',
        ackCode: 'AR',
        ackText: 'sender LABSYS^WARD7 is not registered here',
        ack: 'MSH|^~\\&|TELEPACS||LABSYS|WARD7|20261207083000||ACK^A04^ACK|X1|P|2.5.1\rMSA|AR|LAB-0001|sender LABSYS^WARD7 is not registered here\r',
        attempts: 1,
      },
    });
    const listed = await messages(users.admin, '?status=rejected&direction=IN');
    assert.equal(listed.status, 200);
    const rows = ((await listed.json()) as { messages: { id: string; status: string; ackCode: string; reprocessable: boolean; unowned: boolean; controlId: string }[] }).messages;
    assert.deepEqual(
      rows.map((row) => [row.id, row.status, row.ackCode, row.controlId, row.unowned, row.reprocessable]),
      [[refused.id, 'REJECTED', 'AR', 'LAB-0001', true, true]],
    );
    assert.equal(((await (await messages(users.admin, '?status=PROCESSED')).json()) as { messages: unknown[] }).messages.length, 0);
    assert.equal((await messages(users.admin, '?status=LOST')).status, 400);
    // Another facility's admin lists their own log: not the home facility's unowned messages
    assert.deepEqual(((await (await messages(users.outsider, '', other)).json()) as { messages: unknown[] }).messages, []);
    assert.equal((await message(users.outsider, refused.id, other)).status, 404);
    assert.equal((await reprocess(users.outsider, refused.id, other)).status, 404);

    const detail = (await (await message(users.admin, refused.id)).json()) as { message: { raw: string; ack: string } };
    assert.equal(detail.message.raw, ADT_FROM_LAB.replaceAll('\r', '\n'));
    assert.match(detail.message.ack, /^MSH\|.*\nMSA\|AR\|LAB-0001\|/);
    const views = await db.auditEvent.findMany({ where: { action: 'admin.hl7_message.view' }, orderBy: { at: 'asc' } });
    assert.ok(views.length >= 3, 'every read of the log is audited');
    assert.equal(views.at(-1)?.resource, `hl7:${refused.id}`);

    // Still unknown: processed again, refused again (AR), the attempt counted
    const again = await reprocess(users.admin, refused.id);
    assert.equal(again.status, 200);
    assert.deepEqual(await again.json(), { messageId: refused.id, status: 'REJECTED', ackCode: 'AR', ackText: 'sender LABSYS^WARD7 is not registered here', attempts: 2 });

    // Registered now: the message runs through the ADT handler
    assert.equal((await register(users.admin, { application: 'LABSYS', sendingFacility: 'WARD7' })).status, 201);
    const response = await reprocess(users.admin, refused.id);
    assert.equal(response.status, 200);
    const result = (await response.json()) as { status: string; ackCode: string; attempts: number };
    const row = await db.hl7Message.findUniqueOrThrow({ where: { id: refused.id } });
    assert.equal(result.attempts, 3);
    assert.equal(row.facilityId, home, 'filed under the facility of the sender now');
    assert.notEqual(row.status, 'REJECTED');
    // The ADT handler registered the patient: AA
    assert.deepEqual([row.status, result.ackCode], ['PROCESSED', 'AA'], row.ackText);
    assert.equal(result.status, row.status);
    assert.match(row.ack, new RegExp(`\\rMSA\\|${result.ackCode}\\|LAB-0001`), 'the new ACK is stored');
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: 'admin.hl7_message.reprocess' }, orderBy: { at: 'desc' } });
    assert.equal(audit.actorUserId, users.admin);
    assert.deepEqual(JSON.parse(audit.details), {
      messageId: refused.id,
      messageType: 'ADT^A04',
      controlId: 'LAB-0001',
      sendingApplication: 'LABSYS',
      sendingFacility: 'WARD7',
      ackCode: result.ackCode,
      from: 'REJECTED',
      to: row.status,
    });

    const conflict = await reprocess(users.admin, refused.id);
    assert.equal(conflict.status, 409);
  });

  it('does not process again a message that did not fail', async () => {
    const processed = await server.node.db.hl7Message.create({
      data: { direction: 'IN', facilityId: home, raw: ADT_FROM_LAB, sendingApplication: 'LABSYS', sendingFacility: 'WARD7', messageType: 'ADT^A04', controlId: 'LAB-0002', status: 'PROCESSED', ackCode: 'AA' },
    });
    const response = await reprocess(users.admin, processed.id);
    assert.equal(response.status, 409);
    assert.equal(((await response.json()) as { message: string }).message, 'Only a message that failed (Error or Rejected) can be processed again; this one is processed now.');
    assert.equal((await server.node.db.hl7Message.findUniqueOrThrow({ where: { id: processed.id } })).attempts, 0);
  });
});
