// The facility's ORU destination, for its administrators (others: NOT_FOUND, lib/policy).
import type { AdminActor, AdminContext } from '../../admin/context';
import { authorizeAdminArea } from '../../policy/admin-area';
import { hl7DestinationView, type Hl7DestinationView } from './hl7-destination.types';

export async function getHl7Destination(context: Pick<AdminContext, 'db'>, actor: Pick<AdminActor, 'userId'>, facilityId: string): Promise<{ destination: Hl7DestinationView | null }> {
  await authorizeAdminArea(context.db, actor.userId, facilityId);
  const row = await context.db.hl7Destination.findUnique({ where: { facilityId } });
  return { destination: row ? hl7DestinationView(row) : null };
}
