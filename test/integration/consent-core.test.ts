// The consent core (issue 16) on a real node and database (SQLite, or
// PostgreSQL with TEST_DATABASE=postgres): every read grant beyond the
// patient's facility passes lib/policy/share-basis.ts. A second-opinion case
// (lib/referrals createReferral, claim) and direct grants (lib/grants
// grantStudyRead, as the teleconsultation invite does) are refused without a
// permit covering the grantee, the purpose and the study; a deny wins over a
// permit and ends what it covers at once; an expired permit counts as none; a
// grant ends with its permit; each grant records its basis; a consent covers
// the person across linked records; and a revocation racing a share never
// leaves an active grant on a revoked consent. Consents are recorded through
// lib/consent/record-consent.ts (verbal evidence with a witness).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auditQueueFor } from '../../lib/audit/audit-queue';
import { setConsentRules } from '../../lib/consent/consent-rules';
import { recordConsent, type RecordConsentInput } from '../../lib/consent/record-consent';
import { revokeConsent } from '../../lib/consent/revoke-consent';
import { grantStudyRead, type GrantGrantee } from '../../lib/grants';
import { ConsentRequiredError, shareOutlook } from '../../lib/policy/share-basis';
import { createStudy, createUser } from '../../lib/policy/test-fixtures';
import { createReferral } from '../../lib/referrals/create-referral';
import { transitionReferral } from '../../lib/referrals/transition-referral';
import { getRuntime, type Runtime } from '../../lib/runtime';
import { createReferralCast, type ReferralCast } from '../support/referral-cast';
import { startTestServer, type TestServer } from '../support/test-server';

type Copy = { id: string; facilityId: string; studyInstanceUid: string; patientRef: string };
const HOUR = 3600_000;

describe('consent governs every share beyond the patient\'s facility', () => {
  let server: TestServer;
  let context: Runtime;
  let cast: ReferralCast;
  let p: ReferralCast['people'];
  let districtAdmin: { userId: string; email: string; ip: string };

  /** A new patient of the district clinic with two studies (A, B) */
  async function patient(facilityId = cast.facilities.district): Promise<{ a: Copy; b: Copy }> {
    const a = await createStudy(context.db, facilityId);
    const b = await context.db.study.create({ data: { facilityId, patientRef: a.patientRef, studyInstanceUid: `${a.studyInstanceUid}.2` } });
    return { a: { id: a.id, facilityId, studyInstanceUid: a.studyInstanceUid, patientRef: a.patientRef }, b: { id: b.id, facilityId, studyInstanceUid: b.studyInstanceUid, patientRef: b.patientRef } };
  }

  /** Records a consent for the patient as the district's referring doctor; verbal, witnessed */
  async function consent(patientRef: string, input: Partial<RecordConsentInput> = {}, by = p.requester): Promise<string> {
    const recorded = await recordConsent(context, by, patientRef, {
      decision: 'PERMIT',
      recipient: { kind: 'FACILITY', facilityId: cast.facilities.regional },
      purposes: ['SECOND_OPINION'],
      data: { scope: 'ALL' },
      evidence: { kind: 'VERBAL', witnessName: 'Nurse Nina' },
      ...input,
    });
    return recorded.id;
  }

  const refer = (study: Copy, addressee: { serviceId: string } | { userId: string }) =>
    createReferral(context, p.requester, { studyInstanceUids: [study.studyInstanceUid], question: 'Lesion?', addressee });

  const grant = (study: Copy, grantee: GrantGrantee, purpose = 'TELECONSULTATION') =>
    context.db.$transaction((tx) => grantStudyRead(tx, { grantee, study, purpose, grantedById: p.requester.userId }));

  /** The refusal a share ends in (fails the test when it went through) */
  async function refused(work: Promise<unknown>): Promise<ConsentRequiredError> {
    try {
      await work;
    } catch (error) {
      assert.ok(error instanceof ConsentRequiredError, `expected CONSENT_REQUIRED, got ${String(error)}`);
      return error;
    }
    assert.fail('the share went through');
  }

  const grantsOn = (study: Copy) => context.db.accessGrant.findMany({ where: { studyRef: study.id }, orderBy: { validFrom: 'asc' } });

  before(async () => {
    server = await startTestServer();
    context = getRuntime();
    cast = await createReferralCast(context.db);
    p = cast.people;
    const admin = await createUser(context.db, { email: 'admin@district.example', name: 'District Admin', memberships: [{ facilityId: cast.facilities.district, role: 'ADMIN' }] });
    districtAdmin = { userId: admin.id, email: admin.email, ip: '10.16.0.9' };
  });
  after(async () => {
    await auditQueueFor(context).flush(true);
    await server?.stop();
  });

  it('refuses a case to another facility\'s service without consent, saying what is missing, and stores nothing', async () => {
    const { a } = await patient();
    const before = await context.db.referral.count();
    const error = await refused(refer(a, { serviceId: cast.services.neuro }));
    assert.equal(error.code, 'CONSENT_REQUIRED');
    assert.deepEqual(error.details, { consent: { patientRef: a.patientRef, purpose: 'SECOND_OPINION', recipient: 'Neuroradiology, Regional Hospital', denied: false } });
    assert.match(error.userMessage, /needs the patient's consent\. Nothing was shared: record the consent now, or use the emergency override\./);
    assert.equal(error.attemptedBy, p.requester.userId);
    assert.deepEqual(error.owner, { facilityId: cast.facilities.district, patientId: (await context.db.patient.findUniqueOrThrow({ where: { id: a.patientRef } })).patientId, studyUid: a.studyInstanceUid });
    assert.equal(await context.db.referral.count(), before, 'no case');
    assert.deepEqual(await grantsOn(a), [], 'no grant');
  });

  it('a facility permit covers its services and their members when they claim, and no other facility', async () => {
    const { a } = await patient();
    const permit = await consent(a.patientRef);
    const { id } = await refer(a, { serviceId: cast.services.neuro });
    await transitionReferral(context, p.expertA, id, { action: 'claim' });
    const grants = await grantsOn(a);
    assert.deepEqual(
      grants.map((row) => [row.granteeServiceId, row.granteeUserId, row.legalBasis, row.consentId, row.revokedAt === null]),
      [
        [cast.services.neuro, null, 'CONSENT', permit, false],
        [null, p.expertA.userId, 'CONSENT', permit, true],
      ],
    );
    const error = await refused(grant(a, { userId: p.stranger.userId }, 'REFERRAL'));
    assert.equal(error.shortfall.recipient, 'Dr Stranger');
    await refused(grant(a, { facilityId: cast.facilities.hill }, 'REFERRAL'));
  });

  it('a service permit covers that service only; a user permit covers only that user', async () => {
    const { a } = await patient();
    const chest = await consent(a.patientRef, { recipient: { kind: 'SERVICE', serviceId: cast.services.chest } });
    await refused(refer(a, { serviceId: cast.services.neuro }));
    await refer(a, { serviceId: cast.services.chest });
    assert.deepEqual((await grantsOn(a)).map((row) => [row.granteeServiceId, row.consentId]), [[cast.services.chest, chest]]);

    const { a: other } = await patient();
    const expertA = await consent(other.patientRef, { recipient: { kind: 'USER', userId: p.expertA.userId } });
    await refused(refer(other, { userId: p.expertB.userId }));
    await refused(refer(other, { serviceId: cast.services.neuro }));
    await refer(other, { userId: p.expertA.userId });
    assert.deepEqual((await grantsOn(other)).map((row) => [row.granteeUserId, row.legalBasis, row.consentId]), [[p.expertA.userId, 'CONSENT', expertA]]);
  });

  it('a region permit covers members of any facility, not a guest who belongs to none', async () => {
    const { a } = await patient();
    const region = await consent(a.patientRef, { recipient: { kind: 'REGION' }, purposes: ['TELECONSULTATION'] });
    await grant(a, { userId: p.stranger.userId });
    await grant(a, { facilityId: cast.facilities.regional });
    const guest = await context.db.user.create({ data: { email: 'guest-consent@guest.invalid', name: 'Visiting Doctor', passwordHash: 'not-a-hash', guest: true } });
    const error = await refused(grant(a, { userId: guest.id }));
    assert.equal(error.shortfall.recipient, 'Visiting Doctor (a guest)');
    assert.deepEqual((await grantsOn(a)).map((row) => row.consentId), [region, region]);
  });

  it('matches the purpose and the data: a teleconsultation permit is no second opinion, a permit for study A is none for study B', async () => {
    const { a, b } = await patient();
    await consent(a.patientRef, { purposes: ['TELECONSULTATION'] });
    const error = await refused(refer(a, { serviceId: cast.services.neuro }));
    assert.equal(error.shortfall.purpose, 'SECOND_OPINION');
    await grant(a, { userId: p.expertA.userId }, 'TELECONSULTATION');

    const { a: onlyA, b: notB } = await patient();
    const permit = await consent(onlyA.patientRef, { data: { scope: 'STUDIES', studyUids: [onlyA.studyInstanceUid] } });
    await refused(refer(notB, { serviceId: cast.services.neuro }));
    await refer(onlyA, { serviceId: cast.services.neuro });
    assert.deepEqual((await grantsOn(onlyA)).map((row) => row.consentId), [permit]);
    assert.deepEqual(await grantsOn(notB), []);
    assert.ok(b);
  });

  it('a deny overrides a permit: the grants it covers end at once, and the next share is refused as denied', async () => {
    const { a } = await patient();
    await consent(a.patientRef);
    const { id } = await refer(a, { serviceId: cast.services.neuro });
    await transitionReferral(context, p.expertA, id, { action: 'claim' });
    const [active] = (await grantsOn(a)).filter((row) => row.revokedAt === null);
    const deny = await recordConsent(context, p.requester, a.patientRef, { decision: 'DENY', recipient: { kind: 'REGION' }, purposes: ['SECOND_OPINION'], data: { scope: 'ALL' }, evidence: { kind: 'VERBAL', witnessName: 'Nurse Nina' } });
    assert.equal(deny.grantsEnded, 1);
    const ended = await context.db.accessGrant.findUniqueOrThrow({ where: { id: active.id } });
    assert.ok(ended.revokedAt, 'the expert\'s grant ended');
    assert.equal(ended.revokeReason, 'the patient refused sharing');
    const events = await context.db.referralEvent.findMany({ where: { referralId: id, action: 'consent_ended' } });
    assert.equal(events.length, 1, 'the case\'s timeline says why');
    const error = await refused(grant(a, { userId: p.expertB.userId }, 'REFERRAL'));
    assert.equal(error.shortfall.denied, true);
    assert.match(error.userMessage, /The patient has refused sharing their images for second opinion by Dr ExpertB\. Nothing was shared\./);
    // A deny for another purpose leaves a teleconsultation permit alone
    await consent(a.patientRef, { purposes: ['TELECONSULTATION'] });
    await grant(a, { userId: p.expertB.userId }, 'TELECONSULTATION');
  });

  it('a deny recorded to start later ends the grants it covers when it starts, and bounds the shares made meanwhile', async () => {
    const { a } = await patient();
    await consent(a.patientRef);
    const { id } = await refer(a, { serviceId: cast.services.neuro });
    const starts = new Date(Date.now() + 3 * HOUR);
    const deny = await recordConsent(context, p.requester, a.patientRef, { decision: 'DENY', recipient: { kind: 'REGION' }, purposes: ['SECOND_OPINION'], data: { scope: 'ALL' }, validFrom: starts, evidence: { kind: 'VERBAL', witnessName: 'Nurse Nina' } });
    assert.equal(deny.grantsEnded, 0, 'not yet in force');
    const [serviceGrant] = await grantsOn(a);
    assert.deepEqual([serviceGrant.revokedAt, serviceGrant.validUntil?.getTime()], [null, starts.getTime()], 'the case\'s grant ends when the deny starts');
    await transitionReferral(context, p.expertA, id, { action: 'claim' });
    const expertGrant = (await grantsOn(a)).find((row) => row.granteeUserId === p.expertA.userId);
    assert.equal(expertGrant?.validUntil?.getTime(), starts.getTime(), 'a share made meanwhile ends then too');
    // A teleconsultation is not denied: its grant keeps the permit's period
    await consent(a.patientRef, { purposes: ['TELECONSULTATION'] });
    const tele = await grant(a, { userId: p.expertB.userId });
    assert.equal((await context.db.accessGrant.findUniqueOrThrow({ where: { id: tele.id } })).validUntil, null);
  });

  it('a grant rests on one permit: revoking it ends the grant even where another permit covers it; the next share rests on that one', async () => {
    const { a } = await patient();
    const facility = await consent(a.patientRef);
    const region = await consent(a.patientRef, { recipient: { kind: 'REGION' } });
    await refer(a, { serviceId: cast.services.neuro });
    const [first] = await grantsOn(a);
    assert.equal(first.consentId, region, 'the newest covering permit');
    const revoked = await revokeConsent(context, p.requester, region, { reason: 'region too wide' });
    assert.equal(revoked.grantsEnded, 1);
    assert.ok((await context.db.accessGrant.findUniqueOrThrow({ where: { id: first.id } })).revokedAt);
    await refer(a, { serviceId: cast.services.neuro });
    const active = (await grantsOn(a)).filter((row) => row.revokedAt === null);
    assert.deepEqual(active.map((row) => row.consentId), [facility]);
  });

  it('an expired permit counts as none; a grant under a permit ends when the permit does', async () => {
    const { a } = await patient();
    await consent(a.patientRef, { validFrom: new Date(Date.now() - 48 * HOUR), validUntil: new Date(Date.now() - 24 * HOUR) });
    await refused(refer(a, { serviceId: cast.services.neuro }));
    await consent(a.patientRef, { validFrom: new Date(Date.now() + HOUR) });
    await refused(refer(a, { serviceId: cast.services.neuro }));

    const until = new Date(Date.now() + 2 * HOUR);
    const permit = await consent(a.patientRef, { validUntil: until });
    await refer(a, { serviceId: cast.services.neuro });
    const [row] = await grantsOn(a);
    assert.equal(row.consentId, permit);
    assert.equal(row.validUntil?.getTime(), until.getTime(), 'the grant ends at the permit\'s end');
    // A grant asked for longer is cut to the permit's end; asked shorter, it keeps its own
    const longer = await context.db.$transaction((tx) => grantStudyRead(tx, { grantee: { userId: p.expertC.userId }, study: a, purpose: 'REFERRAL', grantedById: p.requester.userId, validUntil: new Date(Date.now() + 10 * HOUR) }));
    const shorter = new Date(Date.now() + HOUR);
    const short = await context.db.$transaction((tx) => grantStudyRead(tx, { grantee: { userId: p.expertB.userId }, study: a, purpose: 'REFERRAL', grantedById: p.requester.userId, validUntil: shorter }));
    assert.equal((await context.db.accessGrant.findUniqueOrThrow({ where: { id: longer.id } })).validUntil?.getTime(), until.getTime());
    assert.equal((await context.db.accessGrant.findUniqueOrThrow({ where: { id: short.id } })).validUntil?.getTime(), shorter.getTime());
  });

  it('records the basis of each grant: CONSENT with its consent, NOT_REQUIRED inside the facility or when the facility requires none', async () => {
    const { a } = await patient();
    const colleague = await createUser(context.db, { email: 'colleague@district.example', memberships: [{ facilityId: cast.facilities.district, role: 'EXPERT' }] });
    await grant(a, { userId: colleague.id }, 'REFERRAL');
    await grant(a, { facilityId: cast.facilities.district }, 'REFERRAL');
    assert.deepEqual((await grantsOn(a)).map((row) => [row.legalBasis, row.consentId]), [['NOT_REQUIRED', null], ['NOT_REQUIRED', null]]);

    // The district's admin requires consent for research only: a second opinion needs none
    await setConsentRules({ db: context.db }, districtAdmin, cast.facilities.district, { requiredFor: ['RESEARCH'] });
    try {
      const { a: free } = await patient();
      await refer(free, { serviceId: cast.services.neuro });
      assert.deepEqual((await grantsOn(free)).map((row) => [row.legalBasis, row.consentId, row.granteeServiceId]), [['NOT_REQUIRED', null, cast.services.neuro]]);
      // The rule is the data owner's: the hill clinic still requires consent
      const { a: hill } = await patient(cast.facilities.hill);
      await refused(context.db.$transaction((tx) => grantStudyRead(tx, { grantee: { serviceId: cast.services.neuro }, study: hill, purpose: 'REFERRAL', grantedById: p.hillRequester.userId })));
    } finally {
      await setConsentRules({ db: context.db }, districtAdmin, cast.facilities.district, { requiredFor: ['SECOND_OPINION', 'TELECONSULTATION', 'EMERGENCY_CARE', 'TRANSFER', 'RESEARCH'] });
    }
    const { a: again } = await patient();
    await refused(refer(again, { serviceId: cast.services.neuro }));
  });

  it('a consent recorded at one facility governs the person\'s linked records at the others, and its revocation ends grants on them', async () => {
    const { a: district } = await patient(cast.facilities.district);
    const { a: hill } = await patient(cast.facilities.hill);
    const person = await context.db.person.create({ data: {} });
    for (const patientRef of [district.patientRef, hill.patientRef]) await context.db.patientLink.create({ data: { patientRef, personRef: person.id, method: 'MANUAL' } });
    const permit = await consent(district.patientRef);
    // The hill clinic's copy shared with the regional hospital's service on the district's consent
    const { id } = await context.db.$transaction((tx) => grantStudyRead(tx, { grantee: { serviceId: cast.services.neuro }, study: hill, purpose: 'REFERRAL', grantedById: p.hillRequester.userId }));
    assert.equal((await context.db.accessGrant.findUniqueOrThrow({ where: { id } })).consentId, permit);
    const revoked = await revokeConsent(context, p.requester, permit, { reason: 'changed her mind' });
    assert.equal(revoked.grantsEnded, 1);
    assert.ok((await context.db.accessGrant.findUniqueOrThrow({ where: { id } })).revokedAt);
    // Once unlinked, the district's consent no longer covers the hill clinic's record
    const again = await consent(district.patientRef);
    await context.db.patientLink.updateMany({ where: { patientRef: hill.patientRef }, data: { unlinkedAt: new Date() } });
    await refused(context.db.$transaction((tx) => grantStudyRead(tx, { grantee: { serviceId: cast.services.neuro }, study: hill, purpose: 'REFERRAL', grantedById: p.hillRequester.userId })));
    assert.ok(again);
  });

  it('shareOutlook (what another node may list, issue 19) agrees with the share and writes nothing: no grant, no use of the permit', async () => {
    const { a, b } = await patient();
    const grantee = { facilityId: cast.facilities.regional };
    const outlook = (study: Copy, purpose = 'FEDERATION' as const) => shareOutlook(context.db, { study, grantee, purpose });
    assert.deepEqual(await outlook(a), { allowed: false, denied: false });
    const permit = await consent(a.patientRef, { purposes: ['TRANSFER'], data: { scope: 'STUDIES', studyUids: [a.studyInstanceUid, b.studyInstanceUid] } });
    assert.deepEqual(await outlook(a), { allowed: true, legalBasis: 'CONSENT', consentId: permit });
    assert.equal((await shareOutlook(context.db, { study: a, grantee, purpose: 'REFERRAL' })).allowed, false, 'a transfer permit is no second opinion');
    const uses = async () => (await context.db.consent.findUniqueOrThrow({ where: { id: permit } })).uses;
    assert.equal(await uses(), 0);
    // (Recording a deny locks the permits it meets: a use of its own)
    await consent(a.patientRef, { decision: 'DENY', purposes: ['TRANSFER'], data: { scope: 'STUDIES', studyUids: [b.studyInstanceUid] } });
    const before = await uses();
    assert.deepEqual(await outlook(b), { allowed: false, denied: true });
    assert.equal((await outlook(a)).allowed, true);
    assert.equal(await uses(), before);
    assert.equal((await grantsOn(a)).length + (await grantsOn(b)).length, 0);
    // The share itself rests on the permit the outlook named, and is refused where it said so
    await grant(a, grantee, 'FEDERATION');
    assert.equal((await grantsOn(a))[0].consentId, permit);
    assert.equal((await refused(grant(b, grantee, 'FEDERATION'))).shortfall.denied, true);
  });

  it('a revocation racing a share: the share fails or its grant is ended, never an active grant on a revoked consent', async () => {
    const rounds = 24;
    const outcomes = { shareFailed: 0, grantEnded: 0 };
    for (let round = 0; round < rounds; round++) {
      const { a } = await patient();
      const permit = await consent(a.patientRef);
      // One starts up to 48 ms before the other, up to 84 ms after, so the two meet at different steps of each other
      const offset = ((round % 12) - 4) * 12;
      const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
      const [share, revocation] = await Promise.allSettled([
        later(-offset).then(() => refer(a, { serviceId: cast.services.neuro })),
        later(offset).then(() => revokeConsent(context, p.requester, permit, { reason: `race ${round}` })),
      ]);
      assert.equal(revocation.status, 'fulfilled', `round ${round}: the revocation went through (${revocation.status === 'rejected' ? String(revocation.reason) : ''})`);
      const active = await context.db.accessGrant.findMany({ where: { studyRef: a.id, revokedAt: null } });
      assert.deepEqual(active, [], `round ${round}: no active grant survives`);
      if (share.status === 'rejected') {
        assert.ok(share.reason instanceof ConsentRequiredError, `round ${round}: the share failed for want of consent, not ${String(share.reason)}`);
        assert.equal(await context.db.referral.count({ where: { patientRef: a.patientRef } }), 0);
        outcomes.shareFailed++;
      } else {
        const ended = await context.db.accessGrant.findMany({ where: { studyRef: a.id } });
        assert.ok(ended.length > 0 && ended.every((row) => row.consentId === permit && row.revokedAt));
        outcomes.grantEnded++;
      }
    }
    assert.equal(outcomes.shareFailed + outcomes.grantEnded, rounds);
    // Both orders are legal; which one wins each round is up to the database
    process.stdout.write(`# race outcomes: ${JSON.stringify(outcomes)}\n`);
  });
});
