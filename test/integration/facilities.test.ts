// Issue 13 part 1, through the domain operations on a real node (SQLite or
// PostgreSQL) and its DICOMweb door: node administrators manage facilities,
// facility and node administrators manage services, everyone else gets
// NOT_FOUND; disabling a facility cuts its members off on their next request;
// a person in two facilities stores into the one they act for.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AdminActor } from '../../lib/admin/context';
import { isAdminError } from '../../lib/admin/errors';
import { auditQueueFor } from '../../lib/audit/audit-queue';
import { createSession, hashPassword, signedInUserForSession } from '../../lib/auth';
import { createFacility } from '../../lib/facilities/create-facility';
import { facilityLogo, readFacilityLogo, setFacilityLogo } from '../../lib/facilities/facility-logo';
import { listFacilities } from '../../lib/facilities/list-facilities';
import { setActingFacility } from '../../lib/facilities/set-acting-facility';
import { setFacilityDisabled } from '../../lib/facilities/set-facility-disabled';
import { updateFacility } from '../../lib/facilities/update-facility';
import { canAdministerFacility, isPolicyError } from '../../lib/policy';
import { createUser } from '../../lib/policy/test-fixtures';
import { addServiceMember } from '../../lib/services/add-service-member';
import { createService } from '../../lib/services/create-service';
import { listServices } from '../../lib/services/list-services';
import { updateService } from '../../lib/services/update-service';
import { setMemberDisabled } from '../../lib/users/set-member-disabled';
import { grantNodeAdmin, revokeNodeAdmin } from '../../lib/users/set-node-admin';
import { basicAuthHeader } from '../support/dicomweb-client';
import { makeStudy } from '../support/fixtures';
import { stowBody } from '../support/stow';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from '../support/test-server';

const notFound = (error: unknown) => isPolicyError(error) && error.code === 'NOT_FOUND';
const adminError = (code: string, fields?: string[]) => (error: unknown) =>
  isAdminError(error) && error.code === code && (!fields || fields.every((field) => typeof error.fields[field] === 'string'));

// The smallest PNG: signature, IHDR, IDAT, IEND (1×1, grey)
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010800000000376ef9240000000a49444154789c636000000002000148afa4710000000049454e44ae426082', 'hex');

describe('facilities and services (domain operations and DICOMweb)', { timeout: 5 * 60_000 }, () => {
  let server: TestServer;
  let nodeAdmin: AdminActor;
  let valleyAdmin: AdminActor;
  let valleyMember: AdminActor;
  let outsider: AdminActor;
  let valleyId: string;
  let homeId: string;
  const context = () => server.node.runtime;

  async function makeActor(email: string, memberships: { facilityId: string; role: 'ADMIN' | 'EXPERT' | 'REFERRING' }[]): Promise<AdminActor> {
    const user = await createUser(server.node.db, { email, passwordHash: await hashPassword(`${email} password`), memberships });
    return { userId: user.id, email, ip: '127.0.0.1' };
  }
  const basic = (actor: AdminActor) => basicAuthHeader(actor.email, `${actor.email} password`);
  const qido = async (actor: AdminActor, studyInstanceUid: string) => {
    const response = await fetch(`${server.dicomwebUrl}/studies?StudyInstanceUID=${studyInstanceUid}`, { headers: { authorization: basic(actor), accept: 'application/dicom+json' } });
    return response.status === 204 ? [] : ((await response.json()) as unknown[]);
  };
  const stow = async (files: Buffer[], headers: Record<string, string>) => {
    const { body, contentType } = stowBody(files);
    return fetch(`${server.dicomwebUrl}/studies`, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body: new Uint8Array(body) });
  };
  async function auditActions(action: string) {
    await auditQueueFor(server.node.runtime).flush();
    return server.node.db.auditEvent.findMany({ where: { action }, orderBy: { at: 'asc' } });
  }

  before(async () => {
    server = await startTestServer();
    homeId = server.node.firstRun.facilityId;
    const admin = await server.node.db.user.findUniqueOrThrow({ where: { email: TEST_ADMIN_EMAIL } });
    nodeAdmin = { userId: admin.id, email: TEST_ADMIN_EMAIL, ip: '127.0.0.1' };
    outsider = await makeActor('outsider@home.example', [{ facilityId: homeId, role: 'EXPERT' }]);
  });
  after(async () => {
    await server?.stop();
  });

  it('lets only a node administrator create and edit facilities; anyone else gets NOT_FOUND', async () => {
    const created = await createFacility(context(), nodeAdmin, { code: 'valley', name: 'Valley Clinic', address: '1 Valley Road', phone: '+41 21 000 00 00' });
    valleyId = created.id;
    assert.equal(created.code, 'VALLEY', 'codes are kept upper-case');
    valleyAdmin = await makeActor('admin@valley.example', [{ facilityId: valleyId, role: 'ADMIN' }]);
    valleyMember = await makeActor('member@valley.example', [{ facilityId: valleyId, role: 'REFERRING' }]);

    for (const actor of [valleyAdmin, valleyMember, outsider]) {
      await assert.rejects(createFacility(context(), actor, { code: 'NOPE', name: 'Nope' }), notFound);
      await assert.rejects(updateFacility(context(), actor, valleyId, { name: 'Renamed' }), notFound);
      await assert.rejects(setFacilityDisabled(context(), actor, valleyId, true), notFound);
      await assert.rejects(listFacilities(context(), actor.userId), notFound);
    }
    await updateFacility(context(), nodeAdmin, valleyId, { name: 'Valley Clinic Lausanne' });
    const listed = await listFacilities(context(), nodeAdmin.userId);
    assert.deepEqual(
      listed.map((facility) => [facility.code, facility.name, facility.members, facility.disabledAt]),
      [
        ['DEMO', 'Demo Hospital', 2, null],
        ['VALLEY', 'Valley Clinic Lausanne', 2, null],
      ],
    );
    await assert.rejects(updateFacility(context(), nodeAdmin, 'no-such-facility', { name: 'X' }), notFound);
    const audited = await auditActions('admin.facility.update');
    assert.deepEqual(audited.map((event) => [event.facilityId, event.actor, JSON.parse(event.details).name]), [[valleyId, TEST_ADMIN_EMAIL, { from: 'Valley Clinic', to: 'Valley Clinic Lausanne' }]]);
    assert.equal((await auditActions('admin.facility.create')).length, 1);
  });

  it('names each wrong field of a facility form, and refuses a code that is taken', async () => {
    await assert.rejects(createFacility(context(), nodeAdmin, { code: 'a b', name: '', phone: 'call me' }), adminError('INVALID_INPUT', ['code', 'name', 'phone']));
    await assert.rejects(createFacility(context(), nodeAdmin, { code: 'valley', name: 'Second Valley' }), adminError('CONFLICT', ['code']));
    await assert.rejects(updateFacility(context(), nodeAdmin, valleyId, {}), adminError('INVALID_INPUT'));
    await assert.rejects(updateFacility(context(), nodeAdmin, valleyId, { code: 'NEW' }), adminError('INVALID_INPUT'), 'the code never changes');
  });

  it('never removes the last node administrator; another can be made one and taken back', async () => {
    await assert.rejects(revokeNodeAdmin(context(), nodeAdmin, nodeAdmin.userId), adminError('NOT_ALLOWED'));
    await assert.rejects(grantNodeAdmin(context(), valleyAdmin, { email: valleyMember.email }), notFound);
    await assert.rejects(grantNodeAdmin(context(), nodeAdmin, { email: 'nobody@nowhere.example' }), adminError('INVALID_INPUT', ['email']));
    await grantNodeAdmin(context(), nodeAdmin, { email: 'ADMIN@valley.example' });
    // Now a node administrator: the node's facilities are theirs to manage
    assert.equal((await listFacilities(context(), valleyAdmin.userId)).length, 2);
    await revokeNodeAdmin(context(), valleyAdmin, nodeAdmin.userId);
    await assert.rejects(listFacilities(context(), nodeAdmin.userId), notFound, 'taken back: NOT_FOUND again');
    await assert.rejects(revokeNodeAdmin(context(), valleyAdmin, valleyAdmin.userId), adminError('NOT_ALLOWED'), 'the last one stays');
    const secondValleyAdmin = await makeActor('admin2@valley.example', [{ facilityId: valleyId, role: 'ADMIN' }]);
    await assert.rejects(setMemberDisabled(context(), secondValleyAdmin, valleyId, valleyAdmin.userId, true), adminError('NOT_ALLOWED'), 'nor is the last one disabled');
    assert.equal((await server.node.db.user.findUniqueOrThrow({ where: { id: valleyAdmin.userId } })).disabled, false);
    await server.node.db.membership.deleteMany({ where: { userId: secondValleyAdmin.userId } });
    await grantNodeAdmin(context(), valleyAdmin, { email: TEST_ADMIN_EMAIL });
    await revokeNodeAdmin(context(), nodeAdmin, valleyAdmin.userId);
    assert.deepEqual((await server.node.db.user.findMany({ where: { nodeAdmin: true }, select: { email: true } })).map((user) => user.email), [TEST_ADMIN_EMAIL]);
    assert.deepEqual((await auditActions('admin.node_admin.grant')).map((event) => JSON.parse(event.details).email), ['admin@valley.example', TEST_ADMIN_EMAIL]);
    assert.equal((await auditActions('admin.node_admin.revoke')).length, 2);
  });

  it("lets the facility's admins and node admins manage its services; a service member must belong to the facility", async () => {
    const stroke = await createService(context(), valleyAdmin, valleyId, { name: 'Stroke unit', code: 'stroke' });
    const neuro = await createService(context(), nodeAdmin, valleyId, { name: 'Neuroradiology', description: 'Reads CT and MR of the head' });
    for (const actor of [valleyMember, outsider]) {
      await assert.rejects(createService(context(), actor, valleyId, { name: 'Nope' }), notFound);
      await assert.rejects(listServices(context(), actor.userId, valleyId), notFound);
      await assert.rejects(addServiceMember(context(), actor, valleyId, stroke.id, { userId: actor.userId }), notFound);
    }
    // The home facility's admin is not valley's: the service id does not leak across facilities either
    const homeAdmin = await makeActor('admin2@home.example', [{ facilityId: homeId, role: 'ADMIN' }]);
    await assert.rejects(addServiceMember(context(), homeAdmin, homeId, stroke.id, { userId: outsider.userId }), notFound);

    await assert.rejects(createService(context(), valleyAdmin, valleyId, { name: 'Stroke unit' }), adminError('CONFLICT', ['name']));
    await assert.rejects(createService(context(), valleyAdmin, valleyId, { name: '', code: 'no spaces' }), adminError('INVALID_INPUT', ['name', 'code']));
    await assert.rejects(addServiceMember(context(), valleyAdmin, valleyId, stroke.id, { userId: outsider.userId }), adminError('INVALID_INPUT', ['userId']));
    await addServiceMember(context(), valleyAdmin, valleyId, stroke.id, { userId: valleyMember.userId });
    await assert.rejects(addServiceMember(context(), valleyAdmin, valleyId, stroke.id, { userId: valleyMember.userId }), adminError('CONFLICT'));
    await updateService(context(), valleyAdmin, valleyId, neuro.id, { disabled: true });

    const { services, facilityMembers } = await listServices(context(), valleyAdmin.userId, valleyId);
    assert.deepEqual(
      services.map((service) => [service.name, service.code, service.disabledAt !== null, service.members.map((member) => member.email)]),
      [
        ['Neuroradiology', null, true, []],
        ['Stroke unit', 'STROKE', false, ['member@valley.example']],
      ],
    );
    assert.deepEqual(facilityMembers.map((member) => member.email).sort(), ['admin@valley.example', 'member@valley.example']);
    assert.deepEqual((await auditActions('admin.service.member.add')).map((event) => [event.facilityId, JSON.parse(event.details).email]), [[valleyId, 'member@valley.example']]);
    assert.equal((await auditActions('admin.service.create')).length, 2);
  });

  it("cuts a disabled facility's members off on their next request (QIDO, WADO, pages, admin), keeps the data, and gives it back when enabled", async () => {
    const study = makeStudy({ patientId: 'VALLEY-1', series: 1, instancesPerSeries: 1, seed: 'facilities-valley-1' });
    assert.equal((await stow(study, { authorization: basic(valleyMember) })).status, 200);
    assert.equal((await qido(valleyMember, study.studyInstanceUid)).length, 1);
    const instance = `/studies/${study.studyInstanceUid}/series/${study.seriesInstanceUids[0]}/instances/${study.sopInstanceUids[0][0]}`;
    const wado = () => fetch(`${server.dicomwebUrl}${instance}`, { headers: { authorization: basic(valleyMember), accept: 'multipart/related; type="application/dicom"' } });
    assert.equal((await wado()).status, 200);
    const { token } = await createSession(server.node.db, { userId: valleyMember.userId, ttlHours: 1 });
    assert.deepEqual((await signedInUserForSession(context(), token))?.memberships.map((membership) => membership.facilityId), [valleyId]);

    await assert.rejects(setFacilityDisabled(context(), nodeAdmin, homeId, true).then(() => setFacilityDisabled(context(), nodeAdmin, valleyId, true)), adminError('NOT_ALLOWED'), 'never the last enabled facility');
    await setFacilityDisabled(context(), nodeAdmin, homeId, false);
    assert.deepEqual(await setFacilityDisabled(context(), nodeAdmin, valleyId, true), { changed: true });

    assert.deepEqual(await qido(valleyMember, study.studyInstanceUid), []);
    assert.equal((await wado()).status, 404);
    const signedIn = await signedInUserForSession(context(), token);
    assert.deepEqual([signedIn?.memberships, signedIn?.actingFacilityId], [[], null], 'the landing page shows no facility');
    assert.equal(await canAdministerFacility(server.node.db, valleyAdmin.userId, valleyId), false);
    await assert.rejects(listServices(context(), valleyAdmin.userId, valleyId), notFound);
    assert.equal((await stow(makeStudy({ patientId: 'VALLEY-2', series: 1, instancesPerSeries: 1, seed: 'facilities-valley-2' }), { authorization: basic(valleyMember) })).status, 403);
    assert.equal(await server.node.db.study.count({ where: { facilityId: valleyId } }), 1, 'the data is kept');
    // The node administrator still manages it
    assert.equal((await listServices(context(), nodeAdmin.userId, valleyId)).services.length, 2);

    await setFacilityDisabled(context(), nodeAdmin, valleyId, false);
    assert.equal((await qido(valleyMember, study.studyInstanceUid)).length, 1);
    assert.deepEqual((await auditActions('admin.facility.disable')).map((event) => event.facilityId), [homeId, valleyId]);
    assert.equal((await auditActions('admin.facility.enable')).length, 2);
  });

  it('stores a browser upload into the facility a person acts for, and refuses acting for a facility not theirs', async () => {
    const both = await makeActor('both@region.example', [
      { facilityId: homeId, role: 'EXPERT' },
      { facilityId: valleyId, role: 'REFERRING' },
    ]);
    const { token, sessionId } = await createSession(server.node.db, { userId: both.userId, ttlHours: 1 });
    assert.equal((await signedInUserForSession(context(), token))?.actingFacilityId, homeId, 'the first membership by default');
    await setActingFacility(context(), { ...both, sessionId }, valleyId);
    assert.equal((await signedInUserForSession(context(), token))?.actingFacilityId, valleyId);
    await assert.rejects(setActingFacility(context(), { ...outsider, sessionId }, valleyId), notFound);

    const study = makeStudy({ patientId: 'ACTING-1', series: 1, instancesPerSeries: 1, seed: 'facilities-acting-1' });
    const stored = await stow(study, { cookie: `telepacs_session=${token}`, origin: new URL(server.dicomwebUrl).origin });
    assert.equal(stored.status, 200);
    const copies = await server.node.db.study.findMany({ where: { studyInstanceUid: study.studyInstanceUid }, select: { facilityId: true } });
    assert.deepEqual(copies, [{ facilityId: valleyId }]);
    const changed = await auditActions('portal.acting_facility.change');
    assert.deepEqual(changed.map((event) => [event.actor, event.facilityId]), [['both@region.example', valleyId]]);

    // Disabled, the chosen facility falls back to the first enabled one by itself
    await setFacilityDisabled(context(), nodeAdmin, valleyId, true);
    assert.equal((await signedInUserForSession(context(), token))?.actingFacilityId, homeId);
    await setFacilityDisabled(context(), nodeAdmin, valleyId, false);
  });

  it("keeps a facility's logo (PNG or JPEG up to 512 KiB) for its members and node administrators only", async () => {
    await assert.rejects(setFacilityLogo(context(), valleyAdmin, valleyId, PNG), notFound);
    await assert.rejects(setFacilityLogo(context(), nodeAdmin, valleyId, Buffer.from('<svg></svg>')), adminError('INVALID_INPUT', ['logo']));
    await assert.rejects(setFacilityLogo(context(), nodeAdmin, valleyId, Buffer.concat([PNG, Buffer.alloc(512 * 1024)])), adminError('INVALID_INPUT', ['logo']));
    await setFacilityLogo(context(), nodeAdmin, valleyId, PNG);
    const logo = await readFacilityLogo(context(), valleyMember.userId, valleyId);
    assert.equal(logo.mimeType, 'image/png');
    assert.deepEqual(Buffer.from(logo.bytes), PNG);
    assert.deepEqual(Buffer.from((await facilityLogo(server.node.db, valleyId))!.bytes), PNG, 'the letterhead reads the same bytes');
    await assert.rejects(readFacilityLogo(context(), outsider.userId, valleyId), notFound);
    await assert.rejects(readFacilityLogo(context(), valleyMember.userId, homeId), notFound, 'no logo yet: NOT_FOUND');
  });
});
