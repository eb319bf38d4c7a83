import type { Database } from '../../prisma/database';
import { canAdministerFacility } from './administer-facility';
import { PolicyError } from './errors';

/**
 * Linking or unlinking patient records across facilities joins (or parts)
 * what each facility knows of a person, so it takes an administrator of every
 * facility whose record changes group. Anyone else — an outsider, a member,
 * an admin of only one side — gets NOT_FOUND: the other facility's record
 * stays hidden. A node administrator is not enough on their own: they manage
 * facilities, not patients, and linking shows the candidates' demographics;
 * a node administrator who administers both facilities may link, like anyone.
 */
export async function authorizePatientLinking(db: Database, userId: string, facilityIds: readonly string[]): Promise<void> {
  for (const facilityId of new Set(facilityIds)) {
    if (!(await canAdministerFacility(db, userId, facilityId))) throw new PolicyError('NOT_FOUND', 'patient not found');
  }
}
