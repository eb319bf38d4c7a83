// A facility's HL7 senders as its HL7 tab and API list them: the pairs of
// HL7_SENDERS first (the home facility's, read-only), then the registered
// ones by application. Administrators of that facility only (NOT_FOUND else).
import type { AdminActor, AdminContext } from '../../admin/context';
import { findHomeFacilityId } from '../../bootstrap/ensure-defaults';
import { authorizeAdminArea } from '../../policy/admin-area';
import type { ListedHl7Sender } from './hl7-sender.types';

export async function listHl7Senders(context: Pick<AdminContext, 'db' | 'config'>, actor: Pick<AdminActor, 'userId'>, facilityId: string): Promise<ListedHl7Sender[]> {
  const { db, config } = context;
  await authorizeAdminArea(db, actor.userId, facilityId);
  const configured = config.hl7.senders.length && (await findHomeFacilityId(db)) === facilityId ? config.hl7.senders : [];
  const rows = await db.hl7Sender.findMany({ where: { facilityId }, orderBy: [{ application: 'asc' }, { sendingFacility: 'asc' }] });
  return [
    ...configured.map((sender) => ({ id: null, application: sender.application, sendingFacility: sender.facility, description: '', source: 'configuration' as const, createdAt: null })),
    ...rows.map((row) => ({ id: row.id, application: row.application, sendingFacility: row.sendingFacility, description: row.description, source: 'database' as const, createdAt: row.createdAt })),
  ];
}
