// The one way to end grants: revokeGrants marks them revoked inside the
// caller's transaction and says whose access changed; after the commit,
// closeRevokedSockets (close-revoked-sockets.ts) closes the open sockets that
// read through them. No cache anywhere: the archive's scope joins the grants
// table on every request (pacs-core/index/search-support.ts), so a revoked
// grant reads nothing on the grantee's very next request.
import type { GrantSource, GrantsDatabase } from './purposes';

/**
 * Which active grants to end: those a workflow made (its source) or these
 * grant ids — at least one of the two — optionally only one grantee's.
 */
export type RevokeWhere = ({ source: GrantSource; ids?: readonly string[] } | { source?: GrantSource; ids: readonly string[] }) & { granteeUserId?: string };

export interface Revocation {
  /** Who revokes; null = the system (a consultation that ended on its own, a backfill) */
  revokedById: string | null;
  reason: string;
}

/** One revoked grant, as the socket hook needs it. */
export interface RevokedGrant {
  id: string;
  granteeUserId: string | null;
  granteeServiceId: string | null;
  granteeFacilityId: string | null;
  /** The copy it opened (null once that copy was deleted) */
  studyRef: string | null;
  studyFacilityId: string;
  studyInstanceUid: string;
}

/** Ends the matching grants that are not revoked yet; revoking twice changes nothing. */
export async function revokeGrants(tx: GrantsDatabase, where: RevokeWhere, revocation: Revocation, now = new Date()): Promise<RevokedGrant[]> {
  const filter = {
    revokedAt: null,
    ...(where.source ? { sourceType: where.source.type, sourceId: where.source.id } : {}),
    ...(where.ids ? { id: { in: [...where.ids] } } : {}),
    ...(where.granteeUserId ? { granteeUserId: where.granteeUserId } : {}),
  };
  const grants = await tx.accessGrant.findMany({
    where: filter,
    select: { id: true, granteeUserId: true, granteeServiceId: true, granteeFacilityId: true, studyRef: true, studyFacilityId: true, studyInstanceUid: true },
  });
  if (!grants.length) return [];
  // Only rows still unrevoked: a concurrent revocation of the same grant keeps its own time and reason
  await tx.accessGrant.updateMany({
    where: { id: { in: grants.map((grant) => grant.id) }, revokedAt: null },
    data: { revokedAt: now, revokedById: revocation.revokedById, revokeReason: revocation.reason.slice(0, 500) },
  });
  return grants;
}
