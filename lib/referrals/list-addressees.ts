// Whom a case can be addressed to (the form's choices and the API's): the
// enabled services of enabled facilities of this node (expert pools) with
// their turnaround, the services of paired nodes whose pairing is active
// (issue 19: the facility is named with its node, "Radiology, Regional
// hospital (Regional node R)"), and the node's experts (EXPERT members of
// enabled facilities), the caller excluded. Names and facilities only: what a
// referring doctor needs to choose.
import type { Database } from '../../prisma/database';
import type { Principal } from '../policy/principal';
import { turnaroundMinutes } from './due-time';
import { facilityNames } from '../federation/remote-names';

export interface ReferralAddressees {
  services: { id: string; name: string; facilityId: string; facilityName: string; turnaroundMinutes: { STAT: number; URGENT: number; ROUTINE: number } }[];
  experts: { userId: string; name: string; facilityId: string; facilityName: string }[];
}

export async function listReferralAddressees(context: { db: Database }, principal: Principal): Promise<ReferralAddressees> {
  const { db } = context;
  const activePeers = (await db.nodePeer.findMany({ where: { status: 'ACTIVE' }, select: { id: true } })).map((peer) => peer.id);
  const [services, experts] = await Promise.all([
    db.service.findMany({
      where: { disabledAt: null, facility: { disabledAt: null, OR: [{ nodePeerId: null }, { nodePeerId: { in: activePeers } }] } },
      orderBy: [{ facility: { name: 'asc' } }, { name: 'asc' }],
      select: { id: true, name: true, facilityId: true, facility: { select: { name: true } }, turnaroundStatMinutes: true, turnaroundUrgentMinutes: true, turnaroundRoutineMinutes: true },
    }),
    db.membership.findMany({
      where: { role: 'EXPERT', userId: { not: principal.userId }, user: { disabled: false, guest: false, nodePeerId: null }, facility: { disabledAt: null, nodePeerId: null } },
      orderBy: [{ user: { name: 'asc' } }],
      select: { userId: true, facilityId: true, user: { select: { name: true } }, facility: { select: { name: true } } },
    }),
  ]);
  const facilities = await facilityNames(db, services.map((service) => service.facilityId));
  return {
    services: services.map((service) => ({
      id: service.id,
      name: service.name,
      facilityId: service.facilityId,
      facilityName: facilities.get(service.facilityId) ?? service.facility.name,
      turnaroundMinutes: { STAT: turnaroundMinutes(service, 'STAT'), URGENT: turnaroundMinutes(service, 'URGENT'), ROUTINE: turnaroundMinutes(service, 'ROUTINE') },
    })),
    experts: experts.map((expert) => ({ userId: expert.userId, name: expert.user.name, facilityId: expert.facilityId, facilityName: expert.facility.name })),
  };
}
