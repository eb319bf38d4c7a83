import type { Database } from '../../prisma/database';
import { canAdministerFacility } from './administer-facility';
import { PolicyError } from './errors';

/** True when the user is an enabled node administrator (manages the node's facilities). */
export async function isNodeAdmin(db: Database, userId: string): Promise<boolean> {
  const user = await db.user.findFirst({ where: { id: userId, nodeAdmin: true, disabled: false, guest: false }, select: { id: true } });
  return user !== null;
}

/**
 * Gate of the node's administration (facilities, node administrators): only
 * an enabled node administrator passes; everyone else gets NOT_FOUND, so the
 * node area looks like a page that does not exist. The API wrapper audits
 * the refusal (admin.denied), as for a facility's admin area.
 */
export async function authorizeNodeAdmin(db: Database, userId: string): Promise<void> {
  if (!(await isNodeAdmin(db, userId))) throw new PolicyError('NOT_FOUND', 'not found');
}

/**
 * Who manages a facility's services and sends its invitations: a node
 * administrator (any facility, even a disabled one: a new facility has no
 * administrator until the node administrator invites one) or an
 * administrator of that (enabled) facility. NOT_FOUND
 * for everyone else, and for a facility that does not exist.
 */
export async function authorizeFacilityManagement(db: Database, userId: string, facilityId: string): Promise<void> {
  if (await canAdministerFacility(db, userId, facilityId)) return;
  if (await isNodeAdmin(db, userId)) {
    if (await db.facility.findUnique({ where: { id: facilityId }, select: { id: true } })) return;
  }
  throw new PolicyError('NOT_FOUND', 'facility not found');
}
