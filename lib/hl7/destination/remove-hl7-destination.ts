// Removes the facility's ORU destination: signed reports are no longer queued
// for the RIS. ORUs already queued fail at their next attempt (no destination)
// and show in the failing jobs. Removing none is NOT_FOUND.
import { administrationAudit } from '../../admin/administration-audit';
import type { AdminActor, AdminContext } from '../../admin/context';
import { recordAudit } from '../../audit/record-audit';
import { PolicyError } from '../../policy/errors';
import { authorizeAdminArea } from '../../policy/admin-area';

export async function removeHl7Destination(context: Pick<AdminContext, 'db'>, actor: AdminActor, facilityId: string): Promise<void> {
  const { db } = context;
  await authorizeAdminArea(db, actor.userId, facilityId);
  await db.$transaction(async (tx) => {
    const existing = await tx.hl7Destination.findUnique({ where: { facilityId } });
    if (!existing) throw new PolicyError('NOT_FOUND', 'no HL7 destination');
    await tx.hl7Destination.delete({ where: { facilityId } });
    await recordAudit(
      tx,
      administrationAudit(actor, {
        action: 'admin.hl7_destination.update',
        facilityId,
        resource: `facilities/${facilityId}/hl7-destination`,
        details: { removed: true, host: { from: existing.host, to: null }, port: { from: String(existing.port), to: null } },
      }),
    );
  });
}
