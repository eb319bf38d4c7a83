// Who a grant reaches, and who holds an active grant on a study copy: its
// user, the members of its service, or the members of its facility. Used by
// the revocation hook (close-revoked-sockets.ts), by the co-signer list
// (lib/policy/report-access.ts) and by report:changed (lib/reports/report-events.ts).
// These are candidates only: each caller asks lib/policy what a person may do.
import type { Database } from '../../prisma/database';

export interface GranteeOfGrant {
  granteeUserId: string | null;
  granteeServiceId: string | null;
  granteeFacilityId: string | null;
}

/** The people a grant reaches: its user, the members of its service, or the members of its facility. */
export async function granteesOf(db: Database, grant: GranteeOfGrant): Promise<string[]> {
  if (grant.granteeUserId) return [grant.granteeUserId];
  if (grant.granteeServiceId) {
    const members = await db.serviceMember.findMany({ where: { serviceId: grant.granteeServiceId }, select: { userId: true } });
    return members.map((member) => member.userId);
  }
  if (grant.granteeFacilityId) {
    const members = await db.membership.findMany({ where: { facilityId: grant.granteeFacilityId }, select: { userId: true }, distinct: ['userId'] });
    return members.map((member) => member.userId);
  }
  return [];
}

/** Everyone reached by an active grant (not revoked, within its validity) on this study copy */
export async function activeGranteesOfStudy(db: Database, studyRef: string, now = new Date()): Promise<string[]> {
  const grants = await db.accessGrant.findMany({
    where: { studyRef, kind: 'STUDY', revokedAt: null, validFrom: { lte: now }, OR: [{ validUntil: null }, { validUntil: { gt: now } }] },
    select: { granteeUserId: true, granteeServiceId: true, granteeFacilityId: true },
  });
  const users = new Set<string>();
  for (const grant of grants) for (const userId of await granteesOf(db, grant)) users.add(userId);
  return [...users];
}
