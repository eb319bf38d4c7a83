// Where the node's own federation events are recorded: pairing, suspension, keys, refused
// requests of other nodes concern the node, not one facility, so they are recorded in the
// node's home facility (as the first-run events are, lib/bootstrap), whose administrators
// see them in the audit view. Transfers are recorded in the facilities whose data moved.
import type { Database } from '../../prisma/database';
import { findHomeFacilityId } from '../bootstrap/ensure-defaults';

export async function nodeAuditFacilityId(db: Pick<Database, 'facility'>): Promise<string | null> {
  return findHomeFacilityId(db as Database);
}
