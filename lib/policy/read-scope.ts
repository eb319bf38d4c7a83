import type { AccessScope } from '../../pacs-core/access';
import type { Database } from '../../prisma/database';

/**
 * The facilities whose studies a user may read: every facility where they
 * hold any membership. A disabled or unknown user reads nothing. Cross-facility
 * reading (referrals, break-glass) will widen this here, in one place.
 */
export async function readScopeFor(db: Database, userId: string): Promise<AccessScope> {
  const memberships = await db.membership.findMany({
    where: { userId, user: { disabled: false } },
    select: { facilityId: true },
    orderBy: { createdAt: 'asc' },
  });
  return { kind: 'facilities', facilityIds: [...new Set(memberships.map((membership) => membership.facilityId))] };
}
