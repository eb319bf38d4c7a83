import type { AdminActor, AdminContext } from '../admin/context';
import { recordAudit } from '../audit/record-audit';
import { administrationAudit } from '../admin/administration-audit';
import { PolicyError } from '../policy/errors';
import { authorizeFacilityManagement } from '../policy/node-admin';
import { findServiceIn } from './find-service';

/** Takes a person out of a service (their facility membership is untouched). */
export async function removeServiceMember(context: AdminContext, actor: AdminActor, facilityId: string, serviceId: string, userId: string): Promise<void> {
  const { db, logger } = context;
  await authorizeFacilityManagement(db, actor.userId, facilityId);
  await db.$transaction(async (tx) => {
    await findServiceIn(tx, facilityId, serviceId);
    const { count } = await tx.serviceMember.deleteMany({ where: { serviceId, userId } });
    if (count === 0) throw new PolicyError('NOT_FOUND', 'not in this service');
    await recordAudit(tx, administrationAudit(actor, { action: 'admin.service.member.remove', facilityId, resource: `service:${serviceId}`, details: { userId } }));
  });
}
