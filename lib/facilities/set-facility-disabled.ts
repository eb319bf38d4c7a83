import type { AdminActor, AdminContext } from '../admin/context';
import { AdminError } from '../admin/errors';
import { recordAudit } from '../audit/record-audit';
import { PolicyError } from '../policy/errors';
import { authorizeNodeAdmin } from '../policy/node-admin';
import { administrationAudit } from '../admin/administration-audit';

/**
 * A node administrator disables a facility, or enables it again. Disabled,
 * its members lose it on their next request — pages, admin area, DICOMweb,
 * DIMSE, uploads (lib/policy reads Facility.disabledAt on every decision, no
 * cache) — and the caller closes its realtime room (lib/realtime/leave-facility-room.ts).
 * Nothing is deleted: enabling it gives everything back.
 */
export async function setFacilityDisabled(
  context: AdminContext,
  actor: AdminActor,
  facilityId: string,
  disabled: boolean,
  now = new Date(),
): Promise<{ changed: boolean }> {
  const { db, logger } = context;
  await authorizeNodeAdmin(db, actor.userId);
  return db.$transaction(async (tx) => {
    const facility = await tx.facility.findUnique({ where: { id: facilityId }, select: { disabledAt: true } });
    if (!facility) throw new PolicyError('NOT_FOUND', 'facility not found');
    if ((facility.disabledAt !== null) === disabled) return { changed: false };
    if (disabled && !(await tx.facility.findFirst({ where: { id: { not: facilityId }, disabledAt: null }, select: { id: true } }))) {
      throw new AdminError('NOT_ALLOWED', 'This is the last enabled facility of the node: create or enable another one first.');
    }
    await tx.facility.update({ where: { id: facilityId }, data: { disabledAt: disabled ? now : null } });
    await recordAudit(tx, administrationAudit(actor, { action: disabled ? 'admin.facility.disable' : 'admin.facility.enable', facilityId, resource: `facility:${facilityId}` }));
    return { changed: true };
  });
}
