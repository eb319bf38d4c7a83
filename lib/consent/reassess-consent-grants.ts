// After a consent changes (revoked, entered in error, a deny recorded), every active
// grant on the person's studies that rested on a consent is asked again whether
// its own consent still counts and covers it and no deny does (lib/policy/share-basis.ts's
// matching); those that lost their basis end in the same transaction, and those a
// deny recorded to start later covers end when it starts. After the commit the sockets that read
// through them close (lib/grants closeRevokedSockets), and the second-opinion cases
// and teleconsultations they belonged to are told (their parties' open pages refresh,
// the case's timeline says why). Emergency-override grants are not touched: their
// basis is the override, which ends on its own.
import type { Runtime } from '../runtime';
import type { Database } from '../../prisma/database';
import { closeRevokedSockets, revokeGrants, type RevokedGrant } from '../grants';
import type { GrantPurpose } from '../grants/purposes';
import { consentCovers, pendingDenyStart, personRecordRefs, recipientMatcher, type ShareDatabase } from '../policy/share-basis';
import { publishReferralChanged } from '../referrals/referral-events';
import { CONSENT_PURPOSE_OF_GRANT } from './consent-types';

export type ConsentContext = Pick<Runtime, 'db'> & Partial<Pick<Runtime, 'io' | 'logger'>>;

export interface Reassessment {
  revoked: (RevokedGrant & { sourceType: string | null; sourceId: string | null })[];
}

type ReassessDatabase = ShareDatabase & Pick<Database, 'referral' | 'referralEvent'>;

/** Ends the consent-based grants on the person's studies that no consent covers any more. */
export async function reassessConsentGrants(tx: ReassessDatabase, change: { patientRef: string; revokedById: string | null; reason: string }, now = new Date()): Promise<Reassessment> {
  const records = await personRecordRefs(tx, change.patientRef);
  const grants = await tx.accessGrant.findMany({
    where: { revokedAt: null, legalBasis: 'CONSENT', study: { patientRef: { in: records } }, OR: [{ validUntil: null }, { validUntil: { gt: now } }] },
    select: { id: true, purpose: true, consentId: true, granteeUserId: true, granteeServiceId: true, granteeFacilityId: true, studyInstanceUid: true, sourceType: true, sourceId: true, validUntil: true },
  });
  if (!grants.length) return { revoked: [] };
  const consents = await tx.consent.findMany({
    where: { patientRef: { in: records }, status: 'active', revokedAt: null, validFrom: { lte: now }, OR: [{ validUntil: null }, { validUntil: { gt: now } }] },
    select: { id: true, decision: true, purposes: true, dataScope: true, studyUids: true, recipientKind: true, recipientFacilityId: true, recipientServiceId: true, recipientUserId: true },
  });
  const ending: typeof grants = [];
  // One matcher per grantee (its memberships read once), not one per grant
  const matchers = new Map<string, Awaited<ReturnType<typeof recipientMatcher>>>();
  for (const grant of grants) {
    const grantee = grant.granteeUserId ? { userId: grant.granteeUserId } : grant.granteeServiceId ? { serviceId: grant.granteeServiceId } : { facilityId: grant.granteeFacilityId ?? '' };
    const key = JSON.stringify(grantee);
    const covers = matchers.get(key) ?? (await recipientMatcher(tx, grantee));
    matchers.set(key, covers);
    const purpose = CONSENT_PURPOSE_OF_GRANT[grant.purpose as GrantPurpose];
    const applies = (consent: (typeof consents)[number]) => consentCovers(consent, { purpose, studyInstanceUid: grant.studyInstanceUid, covers });
    const denied = consents.some((consent) => consent.decision === 'DENY' && applies(consent));
    const permitted = consents.some((consent) => consent.decision === 'PERMIT' && consent.id === grant.consentId && applies(consent));
    if (denied || !permitted) {
      ending.push(grant);
      continue;
    }
    // A deny recorded to start later: the grant ends when it starts (no grant outlives its basis)
    const denyStarts = await pendingDenyStart(tx, records, { purpose, studyInstanceUid: grant.studyInstanceUid, covers }, now);
    if (denyStarts && (!grant.validUntil || denyStarts < grant.validUntil)) await tx.accessGrant.update({ where: { id: grant.id }, data: { validUntil: denyStarts } });
  }
  if (!ending.length) return { revoked: [] };
  const revoked = await revokeGrants(tx, { ids: ending.map((grant) => grant.id) }, { revokedById: change.revokedById, reason: change.reason }, now);
  const withSource = revoked.map((grant) => {
    const row = ending.find((candidate) => candidate.id === grant.id);
    return { ...grant, sourceType: row?.sourceType ?? null, sourceId: row?.sourceId ?? null };
  });
  // The cases' timelines say why their expert lost the images
  for (const referralId of new Set(withSource.filter((grant) => grant.sourceType === 'referral').map((grant) => grant.sourceId ?? ''))) {
    const referral = await tx.referral.findUnique({ where: { id: referralId }, select: { status: true } });
    if (!referral) continue;
    await tx.referralEvent.create({ data: { referralId, actorId: change.revokedById, action: 'consent_ended', fromStatus: referral.status, toStatus: referral.status, reason: `Access to the images ended: ${change.reason}.`, at: now } });
  }
  return { revoked: withSource };
}

/** After the commit: close the sockets that read through the ended grants, tell the cases' parties. */
export async function afterReassessment(context: ConsentContext, reassessment: Reassessment, why: string): Promise<number> {
  if (!reassessment.revoked.length) return 0;
  let closed = 0;
  try {
    closed = await closeRevokedSockets({ db: context.db, io: context.io }, reassessment.revoked, why);
  } catch (error) {
    context.logger?.warn('sockets of ended grants not closed', { error: String(error) });
  }
  for (const referralId of new Set(reassessment.revoked.filter((grant) => grant.sourceType === 'referral').map((grant) => grant.sourceId ?? ''))) {
    const referral = await context.db.referral.findUnique({ where: { id: referralId }, select: { status: true, priority: true, requesterId: true, ownerId: true, targetUserId: true, targetServiceId: true } });
    if (!referral) continue;
    const grantees = reassessment.revoked.filter((grant) => grant.sourceId === referralId).map((grant) => grant.granteeUserId).filter((id): id is string => id !== null);
    await publishReferralChanged(context, { referralId, status: referral.status, priority: referral.priority, change: 'consent_ended' }, [referral], grantees);
  }
  context.logger?.info('grants ended by a consent change', { why, grants: reassessment.revoked.length, socketsClosed: closed });
  return closed;
}
