import type { Database } from '../../prisma/database';
import { canAdministerFacility } from './administer-facility';
import { PolicyError } from './errors';

/**
 * Gate of a facility's administration pages and APIs: only an enabled ADMIN
 * of that facility passes. Everyone else — an outsider, a plain member, an
 * admin of another facility — gets NOT_FOUND, so the admin area of a facility
 * looks the same as one that does not exist.
 */
export async function authorizeAdminArea(db: Database, userId: string, facilityId: string): Promise<void> {
  if (!(await canAdministerFacility(db, userId, facilityId))) throw new PolicyError('NOT_FOUND', 'facility not found');
}

export type MemberAction = 'membership' | 'account';

/**
 * An admin acting on one person of their facility. The person must be a member
 * of it (else NOT_FOUND, whether or not they exist elsewhere). Account-wide
 * actions (disable, reset password) change the person in every facility they
 * belong to, so they are FORBIDDEN when the person is also a member of a
 * facility this admin does not administer: that facility's admin decides too.
 * Nobody disables or demotes themselves (no locking oneself out).
 */
export async function authorizeMemberAdministration(
  db: Database,
  options: { adminUserId: string; facilityId: string; targetUserId: string; action: MemberAction },
): Promise<void> {
  await authorizeAdminArea(db, options.adminUserId, options.facilityId);
  const targetMemberships = await db.membership.findMany({
    // A disabled facility's memberships still count for account-wide changes:
    // its data is kept, and it may be enabled again.
    where: { userId: options.targetUserId },
    select: { facilityId: true },
  });
  if (!targetMemberships.some((membership) => membership.facilityId === options.facilityId)) {
    throw new PolicyError('NOT_FOUND', 'user not found');
  }
  if (options.action !== 'account') return;
  const otherFacilities = [...new Set(targetMemberships.map((membership) => membership.facilityId))].filter((id) => id !== options.facilityId);
  for (const facilityId of otherFacilities) {
    if (!(await canAdministerFacility(db, options.adminUserId, facilityId))) {
      throw new PolicyError('FORBIDDEN', 'this person also belongs to another facility: its administrator must agree to account-wide changes');
    }
  }
}
