// Read grants are rows (lib/grants): a teleconsultation writes one per
// participant and revokes them when it ends; a grant opens one study copy to
// a user, to the members of a facility or to a service, only while it is
// active, and the very next QIDO, WADO or C-FIND after a revocation or expiry
// reads nothing; a revoked grantee's live consultation socket is closed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { io as connect, type Socket } from 'socket.io-client';
import { SESSION_COOKIE_NAME, createSession, hashPassword } from '../../lib/auth';
import { startConsultation } from '../../lib/consult/consultations';
import { endConsultation } from '../../lib/consult/end-consultation';
import { backfillConsultationGrants, closeRevokedSockets, grantStudyRead, revokeConsultationReads, revokeGrants, type GrantGrantee } from '../../lib/grants';
import { readScopeFor } from '../../lib/policy';
import { createFacility, createUser } from '../../lib/policy/test-fixtures';
import { CONSULT_EVENTS, CONSULT_NAMESPACE } from '../../lib/realtime/events';
import { deleteStudy } from '../../pacs-core/delete-study';
import { planFind } from '../../pacs-core/dimse/find';
import { permitSharing, patientRefOfStudy } from '../support/consent';
import { basicAuthHeader } from '../support/dicomweb-client';
import { makeStudy } from '../support/fixtures';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from '../support/test-server';

const PASSWORD = 'grants test password';
const EXPERT = 'expert@valley.example';
const COLLEAGUE = 'colleague@valley.example';
const OUTSIDER = 'outsider@hill.example';

describe('read grants as rows', () => {
  let server: TestServer;
  let adminId: string;
  const ids: Record<string, string> = {};
  const granted = makeStudy({ patientId: 'GRANTS-1', patientName: 'Row^Rita', accessionNumber: 'GR-1', series: 1, instancesPerSeries: 1, seed: 'grants-granted' });
  const other = makeStudy({ patientId: 'GRANTS-1', patientName: 'Row^Rita', accessionNumber: 'GR-2', studyDate: '20190101', series: 1, instancesPerSeries: 1, seed: 'grants-other' });
  const sockets: Socket[] = [];
  const admin = () => ({ userId: adminId, email: TEST_ADMIN_EMAIL, ip: '127.0.0.1' });

  const studyRow = () => server.node.db.study.findUniqueOrThrow({ where: { facilityId_studyInstanceUid: { facilityId: server.node.firstRun.facilityId, studyInstanceUid: granted.studyInstanceUid } } });

  /** What the user reads now: QIDO-RS matches, WADO-RS metadata status, C-FIND matches (the DIMSE find with the user's scope). */
  async function reads(email: string): Promise<{ qido: number; wado: number; cfind: number }> {
    const authorization = basicAuthHeader(email, PASSWORD);
    const search = await fetch(`${server.dicomwebUrl}/studies?PatientID=GRANTS-1`, { headers: { authorization } });
    const qido = search.status === 204 ? 0 : ((await search.json()) as unknown[]).length;
    const wado = (await fetch(`${server.dicomwebUrl}/studies/${granted.studyInstanceUid}/metadata`, { headers: { authorization } })).status;
    const scope = await readScopeFor(server.node.db, ids[email]);
    let cfind = 0;
    for await (const _match of planFind(server.node.db, 'study', { QueryRetrieveLevel: 'STUDY', PatientID: 'GRANTS-1' }, scope, 'TELEPACS').matches) cfind++;
    return { qido, wado, cfind };
  }
  const NOTHING = { qido: 0, wado: 404, cfind: 0 };
  const THE_STUDY = { qido: 1, wado: 200, cfind: 1 };

  async function grant(grantee: GrantGrantee, times: { validFrom?: Date; validUntil?: Date | null } = {}): Promise<string> {
    const study = await studyRow();
    return (
      await grantStudyRead(server.node.db, {
        grantee,
        study: { id: study.id, facilityId: study.facilityId, studyInstanceUid: study.studyInstanceUid },
        purpose: 'REFERRAL',
        grantedById: adminId,
        ...times,
      })
    ).id;
  }
  const revoke = (id: string) => server.node.db.$transaction((tx) => revokeGrants(tx, { ids: [id] }, { revokedById: adminId, reason: 'test' }));

  before(async () => {
    server = await startTestServer();
    const db = server.node.db;
    adminId = (await db.user.findUniqueOrThrow({ where: { email: TEST_ADMIN_EMAIL } })).id;
    for (const file of [...granted, ...other]) await server.node.archive.ingest(file, { kind: 'import', source: 'grants-test' }, server.node.firstRun.facilityId);
    // The patient agreed to share their images with the region's facilities
    await permitSharing(db, await patientRefOfStudy(db, granted.studyInstanceUid, server.node.firstRun.facilityId));
    const valley = await createFacility(db, 'Valley Clinic');
    const hill = await createFacility(db, 'Hill Clinic');
    ids.valley = valley.id;
    const passwordHash = await hashPassword(PASSWORD);
    ids[EXPERT] = (await createUser(db, { email: EXPERT, passwordHash, memberships: [{ facilityId: valley.id, role: 'EXPERT' }] })).id;
    ids[COLLEAGUE] = (await createUser(db, { email: COLLEAGUE, passwordHash, memberships: [{ facilityId: valley.id, role: 'EXPERT' }] })).id;
    ids[OUTSIDER] = (await createUser(db, { email: OUTSIDER, passwordHash, memberships: [{ facilityId: hill.id, role: 'EXPERT' }] })).id;
  });
  after(async () => {
    for (const socket of sockets) socket.close();
    await server?.stop();
  });

  it('writes a grant per participant when a consultation starts, and revokes them all when it ends', async () => {
    const db = server.node.db;
    const { id } = await startConsultation({ db }, admin(), { studyInstanceUid: granted.studyInstanceUid, invitees: [EXPERT], title: 'Rows' });
    const rows = await db.accessGrant.findMany({ where: { sourceType: 'consultation', sourceId: id }, orderBy: { validFrom: 'asc' } });
    const study = await studyRow();
    assert.deepEqual(
      rows.map((row) => [row.granteeUserId, row.purpose, row.kind, row.studyRef, row.studyFacilityId, row.studyInstanceUid, row.grantedById, row.revokedAt]),
      [adminId, ids[EXPERT]].map((userId) => [userId, 'TELECONSULTATION', 'STUDY', study.id, study.facilityId, granted.studyInstanceUid, adminId, null]),
    );
    assert.deepEqual(await reads(EXPERT), THE_STUDY);

    await endConsultation(db, admin(), id);
    const ended = await db.accessGrant.findMany({ where: { sourceType: 'consultation', sourceId: id } });
    assert.ok(ended.every((row) => row.revokedAt && row.revokedById === adminId && row.revokeReason === 'teleconsultation ended'));
    assert.deepEqual(await reads(EXPERT), NOTHING);
  });

  it('gives open consultations from before grants their grants at start, once', async () => {
    const db = server.node.db;
    // A consultation as an earlier version stored it: participants, no grant rows
    const old = await db.consultation.create({
      data: {
        facilityId: server.node.firstRun.facilityId,
        studyInstanceUid: granted.studyInstanceUid,
        createdById: adminId,
        participants: { create: [{ userId: adminId, role: 'HOST' }, { userId: ids[OUTSIDER], role: 'PARTICIPANT' }] },
      },
    });
    assert.deepEqual(await reads(OUTSIDER), NOTHING);
    assert.equal(await backfillConsultationGrants(db), 2);
    assert.equal(await backfillConsultationGrants(db), 0, 'a second start changes nothing');
    assert.deepEqual(await reads(OUTSIDER), THE_STUDY);
    await endConsultation(db, admin(), old.id);
    assert.deepEqual(await reads(OUTSIDER), NOTHING);
  });

  it('reads nothing through a revoked, expired or not yet valid grant, on the very next request', async () => {
    const hour = 3600_000;
    const active = await grant({ userId: ids[OUTSIDER] }, { validUntil: new Date(Date.now() + hour) });
    assert.deepEqual(await reads(OUTSIDER), THE_STUDY);
    await revoke(active);
    assert.deepEqual(await reads(OUTSIDER), NOTHING);

    await grant({ userId: ids[OUTSIDER] }, { validFrom: new Date(Date.now() - 2 * hour), validUntil: new Date(Date.now() - hour) });
    assert.deepEqual(await reads(OUTSIDER), NOTHING, 'expired');
    const later = await grant({ userId: ids[OUTSIDER] }, { validFrom: new Date(Date.now() + hour) });
    assert.deepEqual(await reads(OUTSIDER), NOTHING, 'not yet valid');
    // The patient's other study was never granted
    await server.node.db.accessGrant.update({ where: { id: later }, data: { validFrom: new Date(Date.now() - 1000) } });
    const { qido } = await reads(OUTSIDER);
    assert.equal(qido, 1, 'the grant opens its study only, not the patient');
    await revoke(later);
  });

  it('opens the study to every member of a facility granted, and to a service granted', async () => {
    const facilityGrant = await grant({ facilityId: ids.valley });
    assert.deepEqual(await reads(EXPERT), THE_STUDY);
    assert.deepEqual(await reads(COLLEAGUE), THE_STUDY);
    assert.deepEqual(await reads(OUTSIDER), NOTHING);
    await revoke(facilityGrant);
    assert.deepEqual(await reads(COLLEAGUE), NOTHING);

    // A service (an expert pool) of Valley Clinic with the expert in it, not the colleague
    const db = server.node.db;
    const stroke = await db.service.create({ data: { facilityId: ids.valley, name: 'Stroke unit' } });
    await db.serviceMember.create({ data: { serviceId: stroke.id, userId: ids[EXPERT] } });
    const serviceGrant = await grant({ serviceId: stroke.id });
    assert.deepEqual(await reads(EXPERT), THE_STUDY, 'a member of the service reads the study');
    assert.deepEqual(await reads(COLLEAGUE), NOTHING, 'a member of the facility outside the service does not');
    await db.service.update({ where: { id: stroke.id }, data: { disabledAt: new Date() } });
    assert.deepEqual(await reads(EXPERT), NOTHING, 'a disabled service grants nothing');
    await db.service.update({ where: { id: stroke.id }, data: { disabledAt: null } });
    assert.deepEqual(await reads(EXPERT), THE_STUDY);
    await revoke(serviceGrant);
    assert.deepEqual(await reads(EXPERT), NOTHING);
  });

  it('refuses a grant with no grantee or two', async () => {
    await assert.rejects(grant({} as GrantGrantee), /Some fields need attention/);
    await assert.rejects(grant({ userId: ids[EXPERT], facilityId: ids.valley } as unknown as GrantGrantee), /Some fields need attention/);
  });

  it("closes a revoked grantee's consultation socket, and leaves the host's open", async () => {
    const db = server.node.db;
    const { id } = await startConsultation({ db }, admin(), { studyInstanceUid: granted.studyInstanceUid, invitees: [EXPERT], title: 'Live' });
    const open = async (userId: string) => {
      const { token } = await createSession(db, { userId, ttlHours: 1 });
      const socket = connect(`${server.url}${CONSULT_NAMESPACE}`, { transports: ['websocket'], reconnection: false, extraHeaders: { cookie: `${SESSION_COOKIE_NAME}=${token}` } });
      sockets.push(socket);
      const joined = await new Promise<{ ok: boolean }>((resolve, reject) => {
        socket.once('connect_error', reject);
        socket.once('connect', () => socket.emit(CONSULT_EVENTS.JOIN, { consultationId: id }, resolve));
      });
      assert.equal(joined.ok, true);
      return socket;
    };
    const expertSocket = await open(ids[EXPERT]);
    const hostSocket = await open(adminId);
    const closed = new Promise<string>((resolve) => expertSocket.once('disconnect', resolve));

    // The expert is taken off the case: their grant from this consultation is revoked
    const revoked = await db.$transaction((tx) => revokeConsultationReads(tx, id, { revokedById: adminId, reason: 'removed from the case' }, ids[EXPERT]));
    assert.equal(revoked.length, 1);
    assert.deepEqual(await reads(EXPERT), NOTHING);
    assert.equal(await closeRevokedSockets({ db, io: server.node.runtime.io }, revoked), 1);
    assert.equal(await closed, 'io server disconnect');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(hostSocket.connected, true, 'the host reads the study through their facility');
    await endConsultation(db, admin(), id);
  });

  it('keeps a grant as history when its study copy is deleted, and it reads nothing more', async () => {
    const id = await grant({ userId: ids[OUTSIDER] });
    assert.deepEqual(await reads(OUTSIDER), THE_STUDY);
    await deleteStudy(server.node.archive, granted.studyInstanceUid, server.node.firstRun.facilityId);
    const row = await server.node.db.accessGrant.findUniqueOrThrow({ where: { id } });
    assert.deepEqual([row.studyRef, row.studyInstanceUid, row.revokedAt], [null, granted.studyInstanceUid, null]);
    assert.deepEqual(await reads(OUTSIDER), NOTHING);
  });
});
