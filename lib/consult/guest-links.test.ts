import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';
import { consentNotRequiredFor } from '../../test/support/consent';
import { isAdminError } from '../admin/errors';
import { createApiToken, verifyApiToken } from '../auth/api-tokens';
import { GUEST_EMAIL_DOMAIN } from '../auth/guest-accounts';
import { verifyPassword } from '../auth/password';
import { sha256Hex } from '../auth/secret-tokens';
import { createSession, resolveSession } from '../auth/sessions';
import { signedInUserForSession } from '../auth/signed-in-user';
import { signIn } from '../auth/sign-in';
import { authContextFor } from '../auth/test-context';
import { isPolicyError, readScopeFor } from '../policy';
import { createConsultation, createFacility, createStudy, createUser } from '../policy/test-fixtures';
import { startConsultation } from './consultations';
import { createGuestLink, isGuestLinkError, joinWithGuestLink, listGuestLinks, openGuestLink, revokeGuestLink, type GuestLinkRefusal } from './guest-links';
import { silentLogger } from '../../pacs-core/logger';
import { findVisibleStudy } from '../../pacs-core/index/find-visible-study';

const notFound = (error: unknown) => isPolicyError(error) && error.code === 'NOT_FOUND';
const refused = (reason: GuestLinkRefusal) => (error: unknown) => isGuestLinkError(error) && error.reason === reason;
const tokenOf = (path: string) => path.split('/').at(-1)!;
const client = { ip: '192.0.2.7', userAgent: 'test' };

describe('guest links', () => {
  let testDb: TestDatabase;
  let context: { db: TestDatabase['db']; logger: typeof silentLogger };
  let host: { userId: string; email: string; ip: string };
  let participantId: string;
  let outsiderId: string;
  let studyInstanceUid: string;
  let consultationId: string;

  before(async () => {
    testDb = await createTestDatabase();
    context = { db: testDb.db, logger: silentLogger };
  });
  after(async () => {
    await testDb.cleanup();
  });
  beforeEach(async () => {
    const { db } = testDb;
    const north = await createFacility(db, 'North Hospital');
    const valley = await createFacility(db, 'Valley');
    const hostUser = await createUser(db, { memberships: [{ facilityId: north.id, role: 'REFERRING' }] });
    await db.user.update({ where: { id: hostUser.id }, data: { name: 'Dr Host' } });
    participantId = (await createUser(db, { memberships: [{ facilityId: valley.id, role: 'EXPERT' }] })).id;
    outsiderId = (await createUser(db, { memberships: [{ facilityId: north.id, role: 'EXPERT' }] })).id;
    const study = await createStudy(db, north.id);
    studyInstanceUid = study.studyInstanceUid;
    // North invites guests to its teleconsultations: no consent can name a guest, so its admin
    // does not require consent for teleconsultations (which also covers Valley's participant)
    await consentNotRequiredFor(db, north.id, ['TELECONSULTATION']);
    const consultation = await createConsultation(db, {
      facilityId: north.id,
      studyInstanceUid,
      participants: [
        { userId: hostUser.id, role: 'HOST' },
        { userId: participantId, role: 'PARTICIPANT' },
      ],
    });
    consultationId = consultation.id;
    host = { userId: hostUser.id, email: hostUser.email, ip: '10.0.0.1' };
  });

  it('lets only the host of an open consultation make a link; keeps only its hash; audits it', async () => {
    const { db } = testDb;
    const now = new Date('2026-03-01T10:00:00Z');
    const link = await createGuestLink({ db }, host, consultationId, { guestName: ' Dr Remote ', guestEmail: 'Remote@Uni.example', hours: 6 }, now);
    assert.match(link.path, /^\/guest\/[A-Za-z0-9_-]{43}$/);
    assert.equal(link.expiresAt.toISOString(), '2026-03-01T16:00:00.000Z');
    const row = await db.consultationGuestLink.findUniqueOrThrow({ where: { id: link.id } });
    assert.equal(row.tokenHash, sha256Hex(tokenOf(link.path)));
    assert.deepEqual([row.guestName, row.guestEmail, row.createdById], ['Dr Remote', 'remote@uni.example', host.userId]);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: 'consult.guest_link.create', actorUserId: host.userId } });
    assert.equal(audit.studyUid, studyInstanceUid);
    assert.ok(!audit.details.includes(tokenOf(link.path)), 'the token never reaches the audit trail');

    // 24 hours by default
    const byDefault = await createGuestLink({ db }, host, consultationId, { guestName: 'Dr Default' }, now);
    assert.equal(byDefault.expiresAt.getTime() - now.getTime(), 24 * 3600_000);

    for (const userId of [participantId, outsiderId, 'nobody']) {
      await assert.rejects(createGuestLink({ db }, { ...host, userId }, consultationId, { guestName: 'X' }), notFound, userId);
      await assert.rejects(listGuestLinks({ db }, userId, consultationId), notFound, userId);
      await assert.rejects(revokeGuestLink({ db }, { ...host, userId }, consultationId, link.id), notFound, userId);
    }
    await assert.rejects(createGuestLink({ db }, host, 'no-such-consultation', { guestName: 'X' }), notFound);
  });

  it('names each wrong field and makes nothing', async () => {
    const error = await createGuestLink(testDb, host, consultationId, { guestName: '', guestEmail: 'not-mail', hours: 73 }).catch((e: unknown) => e);
    assert.ok(isAdminError(error) && error.code === 'INVALID_INPUT');
    assert.deepEqual(Object.keys(error.fields).sort(), ['guestEmail', 'guestName', 'hours']);
    await assert.rejects(createGuestLink(testDb, host, consultationId, { guestName: 'x'.repeat(101) }), (e: unknown) => isAdminError(e) && 'guestName' in e.fields);
    await assert.rejects(createGuestLink(testDb, host, consultationId, { guestName: 'X', hours: 0 }), (e: unknown) => isAdminError(e) && 'hours' in e.fields);
    assert.equal(await testDb.db.consultationGuestLink.count({ where: { consultationId } }), 0);
  });

  it('opening the link shows the invitation and consumes nothing', async () => {
    const link = await createGuestLink(testDb, host, consultationId, { guestName: 'Dr Remote' });
    for (let k = 0; k < 3; k++) {
      const invitation = await openGuestLink(context, tokenOf(link.path), client);
      assert.deepEqual([invitation.consultationTitle, invitation.hostName, invitation.facilityName, invitation.guestName], ['Test consultation', 'Dr Host', 'North Hospital', 'Dr Remote']);
    }
    const row = await testDb.db.consultationGuestLink.findUniqueOrThrow({ where: { id: link.id } });
    assert.equal(row.usedAt, null);
  });

  it('joining creates a guest who reads the consultation study only, with a session ending at the link’s expiry; the link then works no more', async () => {
    const { db } = testDb;
    const now = new Date();
    const link = await createGuestLink({ db }, host, consultationId, { guestName: 'Dr Remote', hours: 2 }, now);
    const joined = await joinWithGuestLink(context, tokenOf(link.path), client);
    assert.equal(joined.path, `/consultations/${consultationId}`);
    assert.equal(joined.expiresAt.getTime(), link.expiresAt.getTime());

    const guest = await db.user.findUniqueOrThrow({ where: { id: joined.user.id }, include: { memberships: true } });
    assert.equal(guest.guest, true);
    assert.equal(guest.name, 'Dr Remote');
    assert.ok(guest.email.endsWith(`@${GUEST_EMAIL_DOMAIN}`));
    assert.equal(guest.memberships.length, 0);
    assert.equal(await verifyPassword(guest.passwordHash, ''), false, 'the guest password hash never verifies, and does not throw');
    const participant = await db.consultationParticipant.findUniqueOrThrow({ where: { consultationId_userId: { consultationId, userId: guest.id } } });
    assert.equal(participant.role, 'GUEST');
    const guestScope = await readScopeFor(db, guest.id);
    assert.deepEqual(guestScope, { kind: 'facilities', facilityIds: [], grantee: { userId: guest.id, serviceIds: [] } });
    assert.equal((await findVisibleStudy(db, studyInstanceUid, guestScope))?.id, (await db.study.findFirstOrThrow({ where: { studyInstanceUid } })).id);

    const session = await resolveSession(db, joined.sessionToken, { ttlHours: 12 });
    assert.equal(session?.user.guest, true);
    assert.equal(session?.guestConsultationId, consultationId);
    const signedIn = await signedInUserForSession(authContextFor(testDb), joined.sessionToken);
    assert.deepEqual([signedIn?.guest, signedIn?.guestConsultationId, signedIn?.memberships.length], [true, consultationId, 0]);

    const row = await db.consultationGuestLink.findUniqueOrThrow({ where: { id: link.id } });
    assert.equal(row.guestUserId, guest.id);
    assert.ok(row.usedAt);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: 'consult.guest_link.use', outcome: 'SUCCESS', actorUserId: guest.id } });
    assert.equal(audit.studyUid, studyInstanceUid);
    assert.ok(audit.patientId?.startsWith('PID'));

    await assert.rejects(joinWithGuestLink(context, tokenOf(link.path), client), refused('USED'));
    await assert.rejects(openGuestLink(context, tokenOf(link.path), client), refused('USED'));
    assert.deepEqual(
      (await listGuestLinks({ db }, host.userId, consultationId)).map((summary) => [summary.guestName, summary.state, summary.guestUserId]),
      [['Dr Remote', 'USED', guest.id]],
    );
  });

  it('lets exactly one of two simultaneous joins through', async () => {
    const link = await createGuestLink(testDb, host, consultationId, { guestName: 'Dr Twice' });
    const results = await Promise.allSettled([joinWithGuestLink(context, tokenOf(link.path), client), joinWithGuestLink(context, tokenOf(link.path), client)]);
    assert.equal(results.filter((result) => result.status === 'fulfilled').length, 1);
    const failure = results.find((result) => result.status === 'rejected');
    assert.ok(failure && refused('USED')(failure.reason));
    assert.equal(await testDb.db.user.count({ where: { guest: true, name: 'Dr Twice' } }), 1, 'the loser’s account was rolled back');
  });

  it('refuses unknown, expired, withdrawn links and those of an ended consultation, saying which, audited', async () => {
    const { db } = testDb;
    const past = new Date(Date.now() - 3 * 3600_000);
    const expired = await createGuestLink({ db }, host, consultationId, { guestName: 'Late', hours: 1 }, past);
    const withdrawn = await createGuestLink({ db }, host, consultationId, { guestName: 'Withdrawn' });
    await revokeGuestLink({ db }, host, consultationId, withdrawn.id);
    await revokeGuestLink({ db }, host, consultationId, withdrawn.id); // again: nothing changes
    const cases: [string, GuestLinkRefusal][] = [
      ['A'.repeat(43), 'INVALID'],
      ['short', 'INVALID'],
      [tokenOf(expired.path), 'EXPIRED'],
      [tokenOf(withdrawn.path), 'REVOKED'],
    ];
    for (const [token, reason] of cases) {
      await assert.rejects(openGuestLink(context, token, client), refused(reason), reason);
      await assert.rejects(joinWithGuestLink(context, token, client), refused(reason), reason);
    }
    const messageOf = (token: string) => openGuestLink(context, token, client).then(() => '', (error: Error) => error.message);
    assert.match(await messageOf(tokenOf(expired.path)), /has expired/);
    assert.match(await messageOf(tokenOf(withdrawn.path)), /was withdrawn/);
    const denied = await db.auditEvent.findMany({ where: { action: 'consult.guest_link.use', outcome: 'DENIED', sourceIp: client.ip } });
    assert.ok(denied.length >= cases.length * 2);
    assert.ok(denied.some((event) => event.details.includes('"REVOKED"') && event.studyUid === studyInstanceUid));
    assert.equal((await db.auditEvent.findMany({ where: { action: 'consult.guest_link.revoke' } })).filter((e) => e.resource.endsWith(withdrawn.id)).length, 1);

    const open = await createGuestLink({ db }, host, consultationId, { guestName: 'Too late' });
    await db.consultation.update({ where: { id: consultationId }, data: { endedAt: new Date() } });
    await assert.rejects(joinWithGuestLink(context, tokenOf(open.path), client), refused('ENDED'));
    await assert.rejects(createGuestLink({ db }, host, consultationId, { guestName: 'X' }), (e: unknown) => isAdminError(e) && e.code === 'CONFLICT');
    // The host still sees what was sent
    assert.deepEqual((await listGuestLinks({ db }, host.userId, consultationId)).map((summary) => summary.state).sort(), ['EXPIRED', 'OPEN', 'REVOKED']);
  });

  it('withdrawing a used link lets the guest go at once', async () => {
    const { db } = testDb;
    const link = await createGuestLink({ db }, host, consultationId, { guestName: 'Dr Gone' });
    const joined = await joinWithGuestLink(context, tokenOf(link.path), client);
    await revokeGuestLink({ db }, host, consultationId, link.id);
    assert.equal(await resolveSession(db, joined.sessionToken, { ttlHours: 12 }), null);
    assert.deepEqual(await readScopeFor(db, joined.user.id), { kind: 'facilities', facilityIds: [] });
    assert.equal((await listGuestLinks({ db }, host.userId, consultationId))[0].state, 'REVOKED');
  });

  it('keeps a guest confined: no other consultation, no password, no API token, and the session ends with the consultation', async () => {
    const { db } = testDb;
    const link = await createGuestLink({ db }, host, consultationId, { guestName: 'Dr Confined' });
    const joined = await joinWithGuestLink(context, tokenOf(link.path), client);
    const guest = await db.user.findUniqueOrThrow({ where: { id: joined.user.id } });
    const guestActor = { userId: guest.id, email: guest.email, ip: client.ip };

    // Not a host: no links of their own, and no consultation of their own on the study they may see
    await assert.rejects(createGuestLink({ db }, guestActor, consultationId, { guestName: 'Friend' }), notFound);
    await assert.rejects(startConsultation({ db }, guestActor, { studyInstanceUid, invitees: [host.email] }), notFound);
    // Nobody can invite the guest account to another consultation
    const hostStudy = await db.study.findFirstOrThrow({ where: { studyInstanceUid } });
    const another = await createStudy(db, hostStudy.facilityId);
    await assert.rejects(startConsultation({ db }, host, { studyInstanceUid: another.studyInstanceUid, invitees: [guest.email] }), (e: unknown) => isAdminError(e));

    const signIn1 = await signIn(authContextFor(testDb), { email: guest.email, password: '', ip: '10.9.9.9' });
    assert.deepEqual(signIn1, { ok: false, reason: 'INVALID_CREDENTIALS' });
    await assert.rejects(createApiToken(db, { userId: guest.id, name: 'x' }), (e: unknown) => isPolicyError(e) && e.code === 'FORBIDDEN');
    // A token that somehow exists for a guest does not work either
    await db.apiToken.create({ data: { userId: guest.id, name: 'planted', prefix: 'abcdefabcdef', tokenHash: sha256Hex(`tp_abcdefabcdef_${'a'.repeat(43)}`) } });
    assert.equal(await verifyApiToken(db, `tp_abcdefabcdef_${'a'.repeat(43)}`), null);

    // No sliding expiry for a guest: an hour of activity does not extend the link's end
    const later = new Date(Date.now() + 3600_000);
    await resolveSession(db, joined.sessionToken, { ttlHours: 48, now: later });
    const row = await db.session.findFirstOrThrow({ where: { userId: guest.id } });
    assert.equal(row.expiresAt.getTime(), link.expiresAt.getTime());

    await db.consultation.update({ where: { id: consultationId }, data: { endedAt: new Date() } });
    assert.equal(await resolveSession(db, joined.sessionToken, { ttlHours: 12 }), null);
    assert.equal(await db.session.count({ where: { userId: guest.id } }), 0, 'the ended consultation ended the guest session for good');
    // A member's sessions are untouched by the end of a consultation
    const hostSession = await createSession(db, { userId: host.userId, ttlHours: 1 });
    assert.equal((await resolveSession(db, hostSession.token, { ttlHours: 1 }))?.guestConsultationId, null);
  });
});
