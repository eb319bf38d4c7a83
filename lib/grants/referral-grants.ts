// The second opinion's read grants (issue 15), on the grants table: while a
// case is open, its addressee (every member of the service before a claim, or
// the named expert) and then the expert who took it read exactly the case's
// studies; each change of hands revokes the previous holder's grants in the
// same transaction. After completion the reporting expert keeps the grant on
// the study they reported. Source: 'referral' + its id.
import type { GrantsDatabase } from './purposes';
import { grantStudyRead, type GrantGrantee } from './grant-study-read';
import { revokeGrants, type Revocation, type RevokedGrant } from './revoke-grants';

export interface ReferralStudyCopy {
  /** The Study row (null once that copy was deleted: nothing to grant) */
  studyRef: string | null;
  studyFacilityId: string;
  studyInstanceUid: string;
}

/** Grants every study of the case to one grantee. */
/** `overrideId`: the emergency override the case rests on (Referral.overrideId), else consent decides (lib/policy/share-basis.ts). */
export async function grantReferralReads(tx: GrantsDatabase, referralId: string, studies: readonly ReferralStudyCopy[], grantee: GrantGrantee, grantedById: string | null, now = new Date(), overrideId: string | null = null): Promise<void> {
  for (const study of studies) {
    if (!study.studyRef) continue;
    await grantStudyRead(
      tx,
      {
        grantee,
        study: { id: study.studyRef, facilityId: study.studyFacilityId, studyInstanceUid: study.studyInstanceUid },
        purpose: 'REFERRAL',
        overrideId,
        grantedById,
        validFrom: now,
        source: { type: 'referral', id: referralId },
      },
      now,
    );
  }
}

/** Ends the case's active grants, except those given in `keep` (grant ids). */
export async function revokeReferralReads(tx: GrantsDatabase, referralId: string, revocation: Revocation, keep: readonly string[] = [], now = new Date()): Promise<RevokedGrant[]> {
  const active = await tx.accessGrant.findMany({ where: { sourceType: 'referral', sourceId: referralId, revokedAt: null }, select: { id: true } });
  const ids = active.map((grant) => grant.id).filter((id) => !keep.includes(id));
  if (!ids.length) return [];
  return revokeGrants(tx, { source: { type: 'referral', id: referralId }, ids }, revocation, now);
}

/** The active grant ids that let this user read this study copy through the case (kept after completion). */
export async function referralGrantsOf(tx: GrantsDatabase, referralId: string, userId: string, studyRef: string): Promise<string[]> {
  const rows = await tx.accessGrant.findMany({ where: { sourceType: 'referral', sourceId: referralId, revokedAt: null, granteeUserId: userId, studyRef }, select: { id: true } });
  return rows.map((row) => row.id);
}
