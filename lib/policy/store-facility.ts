import type { Database } from '../../prisma/database';
import { ROLES_THAT_MAY_STORE } from './roles';

/**
 * The facility that receives what a user stores (STOW-RS, browser upload):
 * their first membership, by creation, with a role allowed to store. null
 * when they have none, and the archive then refuses the store.
 */
export async function storeFacilityFor({ db }: { db: Database }, userId: string): Promise<string | null> {
  const membership = await db.membership.findFirst({
    where: { userId, role: { in: [...ROLES_THAT_MAY_STORE] }, user: { disabled: false } },
    select: { facilityId: true },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
  return membership?.facilityId ?? null;
}
