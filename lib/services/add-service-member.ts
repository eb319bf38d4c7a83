import type { AdminActor, AdminContext } from '../admin/context';
import { AdminError, parseInput } from '../admin/errors';
import { recordAudit } from '../audit/record-audit';
import { administrationAudit } from '../admin/administration-audit';
import { authorizeFacilityManagement } from '../policy/node-admin';
import { findServiceIn } from './find-service';
import { ZAddServiceMemberRequest } from './service.types';

/**
 * Puts a member of the facility into one of its services. Only the
 * facility's own (enabled) members: a service is a pool of this facility's
 * people; experts elsewhere are reached by referral, not by membership.
 */
export async function addServiceMember(context: AdminContext, actor: AdminActor, facilityId: string, serviceId: string, input: unknown): Promise<void> {
  const { db, logger } = context;
  await authorizeFacilityManagement(db, actor.userId, facilityId);
  const { userId } = parseInput(ZAddServiceMemberRequest, input);
  await db.$transaction(async (tx) => {
    await findServiceIn(tx, facilityId, serviceId);
    const member = await tx.membership.findFirst({ where: { userId, facilityId, user: { disabled: false } }, select: { user: { select: { email: true } } } });
    if (!member) {
      throw new AdminError('INVALID_INPUT', 'Some fields need attention.', { userId: 'Only an enabled member of this facility can join its services.' });
    }
    const already = await tx.serviceMember.findUnique({ where: { serviceId_userId: { serviceId, userId } }, select: { id: true } });
    if (already) throw new AdminError('CONFLICT', 'This person is already in the service.', { userId: 'This person is already in the service.' });
    await tx.serviceMember.create({ data: { serviceId, userId } });
    await recordAudit(tx, administrationAudit(actor, { action: 'admin.service.member.add', facilityId, resource: `service:${serviceId}`, details: { userId, email: member.user.email } }));
  });
}
