// Registers a sending system (MSH-3 application ^ MSH-4 facility) for a
// facility: its messages are filed there (lib/hl7/hl7-senders.ts). A pair
// identifies one sender node-wide, so a pair taken anywhere — by HL7_SENDERS
// or by any facility — is refused; the refusal names the facility holding it
// only to someone who administers that facility (an outsider learns nothing
// about another facility's interfaces). Audited in the same transaction.
import { administrationAudit } from '../../admin/administration-audit';
import type { AdminActor, AdminContext } from '../../admin/context';
import { AdminError, parseInput } from '../../admin/errors';
import { recordAudit } from '../../audit/record-audit';
import { findHomeFacilityId } from '../../bootstrap/ensure-defaults';
import { canAdministerFacility } from '../../policy/administer-facility';
import { authorizeAdminArea } from '../../policy/admin-area';
import { ZHl7SenderRequest, type ListedHl7Sender, type THl7SenderRequest } from './hl7-sender.types';

export async function createHl7Sender(context: Pick<AdminContext, 'db' | 'config'>, actor: AdminActor, facilityId: string, input: THl7SenderRequest | unknown): Promise<ListedHl7Sender> {
  const { db, config } = context;
  await authorizeAdminArea(db, actor.userId, facilityId);
  const sender = parseInput(ZHl7SenderRequest, input);
  const pair = `${sender.application}^${sender.sendingFacility}`;
  const taken = async (holderFacilityId: string | null, configured: boolean): Promise<AdminError> => {
    let message = `${pair} is already registered.`;
    if (holderFacilityId && (await canAdministerFacility(db, actor.userId, holderFacilityId))) {
      const holder = await db.facility.findUnique({ where: { id: holderFacilityId }, select: { name: true } });
      message = configured
        ? `${pair} is already configured in HL7_SENDERS for ${holder?.name ?? 'the home facility'}.`
        : `${pair} is already registered for ${holderFacilityId === facilityId ? 'this facility' : holder?.name}.`;
    }
    return new AdminError('CONFLICT', message, { application: message });
  };
  if (config.hl7.senders.some((configured) => configured.application === sender.application && configured.facility === sender.sendingFacility)) {
    throw await taken(await findHomeFacilityId(db), true);
  }
  const holder = await db.hl7Sender.findUnique({ where: { application_sendingFacility: { application: sender.application, sendingFacility: sender.sendingFacility } }, select: { facilityId: true } });
  if (holder) throw await taken(holder.facilityId, false);
  try {
    return await db.$transaction(async (tx) => {
      const row = await tx.hl7Sender.create({ data: { ...sender, facilityId } });
      await recordAudit(
        tx,
        administrationAudit(actor, { action: 'admin.hl7_sender.create', facilityId, resource: `hl7-sender:${row.id}`, details: { application: row.application, sendingFacility: row.sendingFacility } }),
      );
      return { id: row.id, application: row.application, sendingFacility: row.sendingFacility, description: row.description, source: 'database' as const, createdAt: row.createdAt };
    });
  } catch (error) {
    // Two administrators registering the same pair at once: the unique index decides
    if ((error as { code?: string }).code === 'P2002') {
      const winner = await db.hl7Sender.findUnique({ where: { application_sendingFacility: { application: sender.application, sendingFacility: sender.sendingFacility } }, select: { facilityId: true } });
      throw await taken(winner?.facilityId ?? null, false);
    }
    throw error;
  }
}
