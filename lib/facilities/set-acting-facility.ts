import type { AdminActor, AdminContext } from '../admin/context';
import { recordAudit } from '../audit/record-audit';
import { PolicyError } from '../policy/errors';
import { administrationAudit } from '../admin/administration-audit';

/**
 * Someone who belongs to several facilities chooses the one they act for, on
 * this session (another browser keeps its own choice). Only one of their own
 * enabled facilities: NOT_FOUND for any other, a node administrator included
 * (administering a facility is not acting for it).
 */
export async function setActingFacility(context: AdminContext, actor: AdminActor & { sessionId: string }, facilityId: string): Promise<void> {
  const { db, logger } = context;
  const membership = await db.membership.findFirst({
    where: { userId: actor.userId, facilityId, user: { disabled: false }, facility: { disabledAt: null } },
    select: { id: true },
  });
  if (!membership) throw new PolicyError('NOT_FOUND', 'facility not found');
  await db.$transaction(async (tx) => {
    await tx.session.update({ where: { id: actor.sessionId }, data: { actingFacilityId: facilityId } });
    await recordAudit(tx, administrationAudit(actor, { action: 'portal.acting_facility.change', facilityId, resource: `facility:${facilityId}` }));
  });
}
