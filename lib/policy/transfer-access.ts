// Who takes part in an emergency transfer notice (issue 17), decided here once for
// every operation, page, route and socket of lib/transfers:
// - send one: an enabled EMERGENCY or REFERRING member of the facility they act for
//   (the patient's record and the studies must be of it);
// - SENDER side: the clinician who sent it, and the EMERGENCY members of the sending
//   facility (a colleague takes over the phone on the way);
// - RECEIVER side: the enabled members of the receiving service (of an enabled
//   facility), and the receiving facility's administrators (an escalation reaches them);
//   a service the notice was redirected away from loses it;
// - RECORD (read only): the other members of the sending facility — the notice, its
//   timeline and response times are part of the patient's record there.
// Nobody else: NOT_FOUND, the answer for a notice that does not exist. The privacy
// officers see it through its vital-interest basis in their review queue (override-access.ts).
import type { Database } from '../../prisma/database';
import { PolicyError } from './errors';
import type { Role } from './roles';

export const TRANSFER_SENDER_ROLES: readonly Role[] = ['EMERGENCY', 'REFERRING'];

export type TransferSide = 'SENDER' | 'RECEIVER' | 'RECORD';

export interface TransferParties {
  senderId: string;
  sendingFacilityId: string;
  targetServiceId: string;
  targetFacilityId: string;
}

type PolicyDb = Pick<Database, 'membership' | 'serviceMember' | 'user'>;

/** The facility the clinician sends from: NOT_FOUND without an enabled membership, FORBIDDEN without a sending role. */
export async function authorizeTransferSending(db: PolicyDb, userId: string, actingFacilityId: string | null): Promise<string> {
  if (!actingFacilityId) throw new PolicyError('NOT_FOUND', 'no acting facility');
  const roles = await db.membership.findMany({ where: { userId, facilityId: actingFacilityId, user: { disabled: false, guest: false }, facility: { disabledAt: null } }, select: { role: true } });
  if (!roles.length) throw new PolicyError('NOT_FOUND', 'not a member of the acting facility');
  if (!roles.some((row) => TRANSFER_SENDER_ROLES.includes(row.role as Role))) throw new PolicyError('FORBIDDEN', 'only an emergency or referring clinician sends a transfer notice');
  return actingFacilityId;
}

/** The sides the user takes part on (empty: none). */
export async function transferSidesOf(db: PolicyDb, userId: string, notice: TransferParties): Promise<TransferSide[]> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { disabled: true, guest: true } });
  if (!user || user.disabled || user.guest) return [];
  const sides: TransferSide[] = [];
  if (notice.senderId === userId) sides.push('SENDER');
  else if (await db.membership.findFirst({ where: { userId, facilityId: notice.sendingFacilityId, role: 'EMERGENCY', facility: { disabledAt: null } }, select: { id: true } })) sides.push('SENDER');
  if (await isTransferReceiver(db, userId, notice)) sides.push('RECEIVER');
  if (!sides.length && (await db.membership.findFirst({ where: { userId, facilityId: notice.sendingFacilityId, facility: { disabledAt: null } }, select: { id: true } }))) sides.push('RECORD');
  return sides;
}

/** The sides, or NOT_FOUND when the user takes no part. */
export async function authorizeTransfer(db: PolicyDb, userId: string, notice: TransferParties): Promise<TransferSide[]> {
  const sides = await transferSidesOf(db, userId, notice);
  if (!sides.length) throw new PolicyError('NOT_FOUND', 'transfer notice not found');
  return sides;
}

async function isTransferReceiver(db: PolicyDb, userId: string, notice: Pick<TransferParties, 'targetServiceId' | 'targetFacilityId'>): Promise<boolean> {
  const memberships = await db.membership.findMany({ where: { userId, facilityId: notice.targetFacilityId, facility: { disabledAt: null } }, select: { role: true } });
  if (!memberships.length) return false;
  if (memberships.some((row) => row.role === 'ADMIN')) return true;
  return (await db.serviceMember.findFirst({ where: { userId, serviceId: notice.targetServiceId, service: { disabledAt: null } }, select: { id: true } })) !== null;
}

/** The services the user receives notices for (the board's choice): enabled services of enabled facilities they are a member of. */
export async function receivingServicesOf(db: Pick<Database, 'serviceMember' | 'membership'>, userId: string): Promise<string[]> {
  const [inService, admin] = await Promise.all([
    db.serviceMember.findMany({ where: { userId, user: { disabled: false }, service: { disabledAt: null, facility: { disabledAt: null } } }, select: { serviceId: true, service: { select: { facilityId: true } } } }),
    db.membership.findMany({ where: { userId, role: 'ADMIN', user: { disabled: false }, facility: { disabledAt: null } }, select: { facility: { select: { services: { where: { disabledAt: null }, select: { id: true } } } } } }),
  ]);
  // A service member must also be a member of its facility (add-service-member checks it at the time)
  const memberOf = new Set((await db.membership.findMany({ where: { userId, facility: { disabledAt: null } }, select: { facilityId: true } })).map((row) => row.facilityId));
  const ids = new Set(inService.filter((row) => memberOf.has(row.service.facilityId)).map((row) => row.serviceId));
  for (const row of admin) for (const service of row.facility.services) ids.add(service.id);
  return [...ids];
}

/** Everyone who sees the notice now: the sender side and the receiving side (for the news after a change). */
export async function transferAudience(db: Pick<Database, 'membership' | 'serviceMember'>, notice: TransferParties): Promise<string[]> {
  const [team, members, admins] = await Promise.all([
    db.membership.findMany({ where: { facilityId: notice.sendingFacilityId, role: 'EMERGENCY', user: { disabled: false } }, select: { userId: true } }),
    alarmedMembersOf(db, notice.targetServiceId),
    db.membership.findMany({ where: { facilityId: notice.targetFacilityId, role: 'ADMIN', user: { disabled: false } }, select: { userId: true } }),
  ]);
  return [...new Set([notice.senderId, ...team.map((row) => row.userId), ...members, ...admins.map((row) => row.userId)])];
}

/** The members a service's alarm rings for: its enabled members who belong to its (enabled) facility. */
export async function alarmedMembersOf(db: Pick<Database, 'serviceMember'>, serviceId: string, options: { onCallOnly?: boolean } = {}): Promise<string[]> {
  const rows = await db.serviceMember.findMany({
    where: { serviceId, ...(options.onCallOnly ? { onCall: true } : {}), user: { disabled: false }, service: { disabledAt: null, facility: { disabledAt: null } } },
    select: { userId: true, user: { select: { memberships: { select: { facilityId: true } } } }, service: { select: { facilityId: true } } },
  });
  return rows.filter((row) => row.user.memberships.some((membership) => membership.facilityId === row.service.facilityId)).map((row) => row.userId);
}
