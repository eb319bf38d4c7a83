// Whom a case can be addressed to (the form's choices and the API's): the
// enabled services of enabled facilities of this node (expert pools) with
// their turnaround, and the node's experts (EXPERT members of enabled
// facilities), the caller excluded. Names and facilities only: what a
// referring doctor needs to choose.
import type { Database } from '../../prisma/database';
import type { Principal } from '../policy/principal';
import { turnaroundMinutes } from './due-time';

export interface ReferralAddressees {
  services: { id: string; name: string; facilityId: string; facilityName: string; turnaroundMinutes: { STAT: number; URGENT: number; ROUTINE: number } }[];
  experts: { userId: string; name: string; facilityId: string; facilityName: string }[];
}

export async function listReferralAddressees(context: { db: Database }, principal: Principal): Promise<ReferralAddressees> {
  const { db } = context;
  const [services, experts] = await Promise.all([
    db.service.findMany({
      where: { disabledAt: null, facility: { disabledAt: null } },
      orderBy: [{ facility: { name: 'asc' } }, { name: 'asc' }],
      select: { id: true, name: true, facilityId: true, facility: { select: { name: true } }, turnaroundStatMinutes: true, turnaroundUrgentMinutes: true, turnaroundRoutineMinutes: true },
    }),
    db.membership.findMany({
      where: { role: 'EXPERT', userId: { not: principal.userId }, user: { disabled: false, guest: false }, facility: { disabledAt: null } },
      orderBy: [{ user: { name: 'asc' } }],
      select: { userId: true, facilityId: true, user: { select: { name: true } }, facility: { select: { name: true } } },
    }),
  ]);
  return {
    services: services.map((service) => ({
      id: service.id,
      name: service.name,
      facilityId: service.facilityId,
      facilityName: service.facility.name,
      turnaroundMinutes: { STAT: turnaroundMinutes(service, 'STAT'), URGENT: turnaroundMinutes(service, 'URGENT'), ROUTINE: turnaroundMinutes(service, 'ROUTINE') },
    })),
    experts: experts.map((expert) => ({ userId: expert.userId, name: expert.user.name, facilityId: expert.facilityId, facilityName: expert.facility.name })),
  };
}
