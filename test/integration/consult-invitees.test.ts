// Starting a teleconsultation with colleagues named the way people name them:
// a first name, a full name, a picked suggestion (the user id) or an e-mail.
// A name that fits nobody or several people is refused with words that say
// which and why — never "Not an e-mail address", never a guess.
// Real archive and database, on SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isAdminError } from '../../lib/admin/errors';
import { consultationForParticipant, startConsultation, type Actor } from '../../lib/consult/consultations';
import { listInvitableColleagues } from '../../lib/consult/list-invitable-colleagues';
import { createFacility, createUser } from '../../lib/policy/test-fixtures';
import { permitSharing, patientRefOfStudy } from '../support/consent';
import { makeStudy } from '../support/fixtures';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from '../support/test-server';

describe('inviting colleagues by name', () => {
  let server: TestServer;
  let host: Actor;
  const study = makeStudy({ patientId: 'INV-1', series: 1, instancesPerSeries: 1, seed: 'consult-invitees' });
  const ids: Record<string, string> = {};

  const refusedWith = (pattern: RegExp) => (error: unknown) => {
    assert.ok(isAdminError(error), String(error));
    assert.match(error.fields.invitees ?? '', pattern);
    assert.doesNotMatch(error.fields.invitees ?? '', /Not an e-mail address/);
    return true;
  };

  before(async () => {
    server = await startTestServer();
    const db = server.node.db;
    const admin = await db.user.findUniqueOrThrow({ where: { email: TEST_ADMIN_EMAIL } });
    host = { userId: admin.id, email: admin.email, ip: '127.0.0.1' };
    const home = await db.membership.findFirstOrThrow({ where: { userId: admin.id }, include: { facility: true } });
    for (const file of study) await server.node.archive.ingest(file, { kind: 'import', source: 'invitees-test' }, home.facilityId);
    // The patient agreed to share their images with the region's facilities
    await permitSharing(db, await patientRefOfStudy(db, study.studyInstanceUid, home.facilityId));
    const valley = await createFacility(db, 'Valley Clinic');
    const people: [string, string, string, 'EXPERT' | 'REFERRING'][] = [
      ['erik', 'erik.berg@valley.example', 'Dr Erik Berg', 'EXPERT'],
      ['erika', 'erika.lund@valley.example', 'Dr Erika Lund', 'EXPERT'],
      ['anna1', 'anna.keller@valley.example', 'Anna Keller', 'REFERRING'],
      ['anna2', 'anna.roth@valley.example', 'Anna Roth', 'EXPERT'],
    ];
    for (const [key, email, name, role] of people) {
      const user = await createUser(db, { email, memberships: [{ facilityId: valley.id, role }] });
      await db.user.update({ where: { id: user.id }, data: { name } });
      ids[key] = user.id;
    }
  });
  after(async () => {
    await server?.stop();
  });

  it('lists colleagues as people: id, name, e-mail and facility (not "Valley Clinic (expert)")', async () => {
    const colleagues = await listInvitableColleagues(server.node.db, host.userId);
    const erik = colleagues.find((colleague) => colleague.id === ids.erik);
    assert.deepEqual(erik, { id: ids.erik, email: 'erik.berg@valley.example', name: 'Dr Erik Berg', facilities: ['Valley Clinic'] });
    assert.ok(!colleagues.some((colleague) => colleague.id === host.userId), 'not oneself');
  });

  it('invites by a first name, a surname, a picked suggestion and an e-mail, in the order given', async () => {
    const { id } = await startConsultation({ db: server.node.db }, host, {
      studyInstanceUid: study.studyInstanceUid,
      invitees: ['Erik', 'Keller', ids.anna2, 'Erika.Lund@valley.example'],
    });
    const view = await consultationForParticipant(server.node.db, host.userId, id);
    assert.equal(view.participants[0].userId, host.userId);
    assert.deepEqual(
      view.participants.slice(1).map((participant) => participant.name),
      ['Dr Erik Berg', 'Anna Keller', 'Anna Roth', 'Dr Erika Lund'],
    );
    const audit = await server.node.db.auditEvent.findFirst({ where: { action: 'consult.start', resource: `consultations/${id}` } });
    assert.deepEqual(JSON.parse(audit?.details ?? '{}').invitees, ['erik.berg@valley.example', 'anna.keller@valley.example', 'anna.roth@valley.example', 'erika.lund@valley.example']);
  });

  it('refuses a name that fits several people, naming them, and one that fits nobody', async () => {
    await assert.rejects(
      startConsultation({ db: server.node.db }, host, { studyInstanceUid: study.studyInstanceUid, invitees: ['Anna'] }),
      refusedWith(/“Anna” matches 2 colleagues: Anna Keller \(anna\.keller@valley\.example\), Anna Roth \(anna\.roth@valley\.example\)/),
    );
    await assert.rejects(
      startConsultation({ db: server.node.db }, host, { studyInstanceUid: study.studyInstanceUid, invitees: ['Erik', 'Zoltan'] }),
      refusedWith(/No colleague matches “Zoltan”/),
    );
    await assert.rejects(
      startConsultation({ db: server.node.db }, host, { studyInstanceUid: study.studyInstanceUid, invitees: ['nobody@nowhere.example'] }),
      refusedWith(/No active Telepacs user with this e-mail: nobody@nowhere.example/),
    );
    assert.equal(await server.node.db.consultation.count({ where: { studyInstanceUid: study.studyInstanceUid } }), 1, 'no session was started by the refusals');
  });
});
