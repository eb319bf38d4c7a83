import type { Database } from '../../prisma/database';
import { PolicyError } from './errors';
import { isNodeAdmin } from './node-admin';

/**
 * Who may see a facility's own face (its name, logo): an enabled member of
 * it while it is enabled, or a node administrator. NOT_FOUND for everyone else.
 */
export async function authorizeFacilityMember(db: Database, userId: string, facilityId: string): Promise<void> {
  const membership = await db.membership.findFirst({
    where: { userId, facilityId, user: { disabled: false }, facility: { disabledAt: null } },
    select: { id: true },
  });
  if (membership) return;
  if ((await isNodeAdmin(db, userId)) && (await db.facility.findUnique({ where: { id: facilityId }, select: { id: true } }))) return;
  throw new PolicyError('NOT_FOUND', 'facility not found');
}
