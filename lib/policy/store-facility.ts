import type { Database } from '../../prisma/database';
import { ROLES_THAT_MAY_STORE } from './roles';

/**
 * The facility that receives what a user stores (STOW-RS, browser upload):
 * the facility they act for (the header's switcher) when they hold a role
 * there that may store, else their first membership, by creation, with such a
 * role. Disabled facilities receive nothing. null when they have none, and
 * the archive then refuses the store.
 */
export async function storeFacilityFor({ db }: { db: Database }, userId: string, actingFacilityId: string | null = null): Promise<string | null> {
  const memberships = await db.membership.findMany({
    where: { userId, role: { in: [...ROLES_THAT_MAY_STORE] }, user: { disabled: false }, facility: { disabledAt: null, nodePeerId: null } },
    select: { facilityId: true },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
  return pickStoreFacility(memberships.map((membership) => membership.facilityId), actingFacilityId);
}

/** The acting facility when it is among those that may receive, else the first of them. */
export function pickStoreFacility(storingFacilityIds: readonly string[], actingFacilityId: string | null): string | null {
  if (actingFacilityId && storingFacilityIds.includes(actingFacilityId)) return actingFacilityId;
  return storingFacilityIds[0] ?? null;
}
