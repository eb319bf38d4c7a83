// Who reads the HL7 message log of a facility, and which rows: its
// administrators (NOT_FOUND for everyone else, lib/policy/admin-area.ts),
// the messages the bridge filed under it, and — for the home facility only —
// the messages of senders nobody registered (refused with AR, facilityId
// null). The refusal is audited for the home facility (lib/hl7/receive-message.ts),
// so its administrators are the ones who see the knock and may, once they
// register the sender, process the message again. The raw messages hold
// patient data: a registration elsewhere must not open earlier refusals.
import type { Database } from '../../prisma/database';
import { findHomeFacilityId } from '../bootstrap/ensure-defaults';
import { authorizeAdminArea } from './admin-area';

/** A Prisma where-condition on Hl7Message: the rows this administrator of `facilityId` may read. */
export type Hl7MessageScope = { OR: ({ facilityId: string } | { facilityId: null })[] };

export async function authorizeHl7MessageLog(db: Database, userId: string, facilityId: string): Promise<Hl7MessageScope> {
  await authorizeAdminArea(db, userId, facilityId);
  const home = await findHomeFacilityId(db);
  return { OR: home === facilityId ? [{ facilityId }, { facilityId: null }] : [{ facilityId }] };
}
