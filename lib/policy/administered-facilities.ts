import type { Database } from '../../prisma/database';

export interface AdministeredFacility {
  id: string;
  name: string;
  code: string;
}

/**
 * The enabled facilities an enabled user administers (ADMIN role), oldest membership
 * first. Empty for everyone else: callers answer NOT_FOUND then, so a
 * non-administrator cannot tell an admin-only page from a missing one.
 */
export async function administeredFacilitiesFor(db: Database, userId: string): Promise<AdministeredFacility[]> {
  const memberships = await db.membership.findMany({
    where: { userId, role: 'ADMIN', user: { disabled: false }, facility: { disabledAt: null } },
    select: { facility: { select: { id: true, name: true, code: true } } },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
  return memberships.map((membership) => membership.facility);
}
