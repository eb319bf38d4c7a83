// Removes one of the facility's registered senders: its next message is
// refused with AR (unknown sender). HL7_SENDERS pairs are not rows and are
// changed in the configuration. Audited in the same transaction.
import { administrationAudit } from '../../admin/administration-audit';
import type { AdminActor, AdminContext } from '../../admin/context';
import { recordAudit } from '../../audit/record-audit';
import { authorizeAdminArea } from '../../policy/admin-area';
import { PolicyError } from '../../policy/errors';

export async function deleteHl7Sender(context: Pick<AdminContext, 'db'>, actor: AdminActor, facilityId: string, senderId: string): Promise<void> {
  const { db } = context;
  await authorizeAdminArea(db, actor.userId, facilityId);
  await db.$transaction(async (tx) => {
    const sender = await tx.hl7Sender.findFirst({ where: { id: senderId, facilityId } });
    if (!sender) throw new PolicyError('NOT_FOUND', 'HL7 sender not found');
    await tx.hl7Sender.delete({ where: { id: sender.id } });
    await recordAudit(
      tx,
      administrationAudit(actor, { action: 'admin.hl7_sender.delete', facilityId, resource: `hl7-sender:${sender.id}`, details: { application: sender.application, sendingFacility: sender.sendingFacility } }),
    );
  });
}
