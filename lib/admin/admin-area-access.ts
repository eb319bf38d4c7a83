// The gate of a facility's administration pages, for the page glue: the
// decision is lib/policy's authorizeAdminArea (NOT_FOUND for everyone but an
// enabled ADMIN of that facility); pages hold no database handle.
import { authorizeAdminArea, type Principal } from '../policy';
import type { AdminContext } from './context';

export async function requireAdminArea(context: Pick<AdminContext, 'db'>, principal: Pick<Principal, 'userId'>, facilityId: string): Promise<void> {
  await authorizeAdminArea(context.db, principal.userId, facilityId);
}
