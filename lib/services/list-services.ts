import type { AdminContext } from '../admin/context';
import { authorizeFacilityManagement } from '../policy/node-admin';
import type { FacilityServices } from './service.types';

/**
 * A facility's services with their members, for its administrators and the
 * node administrators. A person who has left the facility since joining a
 * service is not listed (and counts nowhere): service membership needs the
 * facility membership.
 */
export async function listServices(context: Pick<AdminContext, 'db'>, actorUserId: string, facilityId: string): Promise<FacilityServices> {
  const { db } = context;
  await authorizeFacilityManagement(db, actorUserId, facilityId);
  const facility = await db.facility.findUniqueOrThrow({ where: { id: facilityId }, select: { id: true, name: true, code: true, disabledAt: true } });
  const members = await db.user.findMany({
    where: { disabled: false, memberships: { some: { facilityId } } },
    orderBy: [{ name: 'asc' }, { email: 'asc' }],
    select: { id: true, name: true, email: true },
  });
  const services = await db.service.findMany({
    where: { facilityId },
    orderBy: [{ name: 'asc' }, { id: 'asc' }],
    select: {
      id: true,
      name: true,
      code: true,
      description: true,
      disabledAt: true,
      turnaroundStatMinutes: true,
      turnaroundUrgentMinutes: true,
      turnaroundRoutineMinutes: true,
      transferEscalationMinutes: true,
      transferAccessHours: true,
      members: {
        where: { user: { memberships: { some: { facilityId } } } },
        orderBy: { createdAt: 'asc' },
        select: { onCall: true, user: { select: { id: true, name: true, email: true } } },
      },
    },
  });
  return {
    facility: { id: facility.id, name: facility.name, code: facility.code, disabled: facility.disabledAt !== null },
    facilityMembers: members.map((member) => ({ userId: member.id, name: member.name, email: member.email })),
    services: services.map((service) => ({
    id: service.id,
    name: service.name,
    code: service.code,
    description: service.description,
    disabledAt: service.disabledAt?.toISOString() ?? null,
    turnaroundStatMinutes: service.turnaroundStatMinutes,
    turnaroundUrgentMinutes: service.turnaroundUrgentMinutes,
    turnaroundRoutineMinutes: service.turnaroundRoutineMinutes,
    transferEscalationMinutes: service.transferEscalationMinutes,
    transferAccessHours: service.transferAccessHours,
    members: service.members.map(({ onCall, user }) => ({ userId: user.id, name: user.name, email: user.email, onCall })),
    })),
  };
}
