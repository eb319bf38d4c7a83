import type { AdminActor, AdminContext } from '../admin/context';
import { parseInput } from '../admin/errors';
import { recordAudit } from '../audit/record-audit';
import { administrationAudit } from '../admin/administration-audit';
import { PolicyError } from '../policy/errors';
import { authorizeFacilityManagement } from '../policy/node-admin';
import { findServiceIn } from './find-service';
import { ZSetOnCallRequest } from './service-transfer-settings';

/**
 * Puts a service member on (or takes them off) the service's on-call list: the
 * people told, with the facility's administrators, when an emergency-transfer
 * alarm is not acknowledged in time (lib/transfers/escalate-transfer-job.ts).
 * Every member hears the alarm itself; on call only adds the escalation.
 * Who may: as for adding or removing a member. Not a member of this service
 * (or no longer of its facility): NOT_FOUND. Setting what is already set
 * changes nothing and is not audited.
 */
export async function setServiceMemberOnCall(context: AdminContext, actor: AdminActor, facilityId: string, serviceId: string, userId: string, input: unknown): Promise<{ onCall: boolean; changed: boolean }> {
  const { db } = context;
  await authorizeFacilityManagement(db, actor.userId, facilityId);
  const { onCall } = parseInput(ZSetOnCallRequest, input);
  return db.$transaction(async (tx) => {
    await findServiceIn(tx, facilityId, serviceId);
    // As the Services tab lists them: a member who left the facility is not there
    const member = await tx.serviceMember.findFirst({ where: { serviceId, userId, user: { memberships: { some: { facilityId } } } }, select: { id: true, onCall: true } });
    if (!member) throw new PolicyError('NOT_FOUND', 'not in this service');
    if (member.onCall === onCall) return { onCall, changed: false };
    await tx.serviceMember.update({ where: { id: member.id }, data: { onCall } });
    await recordAudit(tx, administrationAudit(actor, { action: 'admin.service.member.on_call', facilityId, resource: `service:${serviceId}`, details: { userId, onCall, before: member.onCall } }));
    return { onCall, changed: true };
  });
}
