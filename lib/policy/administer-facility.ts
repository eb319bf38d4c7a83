import type { Database } from '../../prisma/database';
import { PolicyError } from './errors';

/** True when the user is an enabled ADMIN of that facility, and the facility is not disabled. */
export async function canAdministerFacility(db: Database, userId: string, facilityId: string): Promise<boolean> {
  const membership = await db.membership.findFirst({
    where: { userId, facilityId, role: 'ADMIN', user: { disabled: false }, facility: { disabledAt: null } },
    select: { id: true },
  });
  return membership !== null;
}

/**
 * Throws unless the user administers the facility: NOT_FOUND for a
 * non-member (the facility's existence stays hidden), FORBIDDEN for a member
 * without the ADMIN role.
 */
export async function authorizeFacilityAdministration(db: Database, userId: string, facilityId: string): Promise<void> {
  if (await canAdministerFacility(db, userId, facilityId)) return;
  const isMember = await db.membership.findFirst({
    where: { userId, facilityId, user: { disabled: false }, facility: { disabledAt: null } },
    select: { id: true },
  });
  if (!isMember) throw new PolicyError('NOT_FOUND', 'facility not found');
  throw new PolicyError('FORBIDDEN', 'only an administrator of this facility may do this');
}
