// Who takes part in a second-opinion case (issue 15), decided here once for
// every operation, page, route and socket of lib/referrals:
// - REQUESTER: the doctor who asked (an enabled account);
// - OWNER: the expert who claimed or accepted it — and, after completion, the
//   expert who reported it (ownerId stays);
// - ADDRESSEE: before anyone took it (REQUESTED), the named expert, or every
//   member of the addressed service (an enabled service of an enabled
//   facility, an enabled account with a membership there) but the requester.
// Nobody else: NOT_FOUND, the answer for a case that does not exist.
import type { Database } from '../../prisma/database';
import { PolicyError } from './errors';

export type ReferralRole = 'REQUESTER' | 'OWNER' | 'ADDRESSEE';

export interface ReferralParties {
  id: string;
  status: string;
  requesterId: string;
  ownerId: string | null;
  targetUserId: string | null;
  targetServiceId: string | null;
  targetFacilityId: string;
}

/** The statuses in which the addressee (not yet an owner) takes part */
const ADDRESSED_STATUSES = ['REQUESTED'];

export async function referralRolesOf(db: Database, userId: string, referral: ReferralParties): Promise<ReferralRole[]> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { disabled: true } });
  if (!user || user.disabled) return [];
  const roles: ReferralRole[] = [];
  if (referral.requesterId === userId) roles.push('REQUESTER');
  if (referral.ownerId === userId) roles.push('OWNER');
  // A requester who belongs to the service they asked takes no part as its addressee: nobody answers their own case
  if (referral.requesterId !== userId && ADDRESSED_STATUSES.includes(referral.status) && (await isAddressee(db, userId, referral))) roles.push('ADDRESSEE');
  return roles;
}

/** The roles, or NOT_FOUND when the user takes no part. */
export async function authorizeReferral(db: Database, userId: string, referral: ReferralParties): Promise<ReferralRole[]> {
  const roles = await referralRolesOf(db, userId, referral);
  if (!roles.length) throw new PolicyError('NOT_FOUND', 'referral not found');
  return roles;
}

/** Whether the user is the case's addressee: the named expert, or a member of the addressed service. */
export async function isAddressee(db: Database, userId: string, referral: Pick<ReferralParties, 'targetUserId' | 'targetServiceId' | 'targetFacilityId'>): Promise<boolean> {
  const member = await db.membership.findFirst({ where: { userId, facilityId: referral.targetFacilityId, facility: { disabledAt: null } }, select: { id: true } });
  if (!member) return false;
  if (referral.targetUserId) return referral.targetUserId === userId;
  if (!referral.targetServiceId) return false;
  const inService = await db.serviceMember.findFirst({ where: { userId, serviceId: referral.targetServiceId, service: { disabledAt: null } }, select: { id: true } });
  return inService !== null;
}

/**
 * Who a case may be addressed to: a named user who is an EXPERT of an
 * enabled facility (that facility), or an enabled service (its facility).
 * NOT_FOUND for anything else, so the form cannot probe accounts.
 */
export async function resolveReferralAddressee(
  db: Database,
  addressee: { userId: string; facilityId?: string | null } | { serviceId: string },
): Promise<{ targetUserId: string | null; targetServiceId: string | null; targetFacilityId: string }> {
  if ('serviceId' in addressee) {
    const service = await db.service.findFirst({ where: { id: addressee.serviceId, disabledAt: null, facility: { disabledAt: null } }, select: { id: true, facilityId: true } });
    if (!service) throw new PolicyError('NOT_FOUND', 'service not found');
    return { targetUserId: null, targetServiceId: service.id, targetFacilityId: service.facilityId };
  }
  const expertships = await db.membership.findMany({
    where: { userId: addressee.userId, role: 'EXPERT', user: { disabled: false, guest: false }, facility: { disabledAt: null }, ...(addressee.facilityId ? { facilityId: addressee.facilityId } : {}) },
    select: { facilityId: true },
    orderBy: { createdAt: 'asc' },
  });
  if (!expertships.length) throw new PolicyError('NOT_FOUND', 'expert not found');
  return { targetUserId: addressee.userId, targetServiceId: null, targetFacilityId: expertships[0].facilityId };
}

/**
 * The users a case's news reaches, as it stands (its status on that side of the
 * change): requester, owner, and while it waits for them (REQUESTED) the named
 * expert or the service's members, not once someone took it or declined it.
 */
export async function referralAudience(db: Database, referral: Pick<ReferralParties, 'status' | 'requesterId' | 'ownerId' | 'targetUserId' | 'targetServiceId'>): Promise<string[]> {
  const users = new Set([referral.requesterId]);
  if (referral.ownerId) users.add(referral.ownerId);
  if (!ADDRESSED_STATUSES.includes(referral.status)) return [...users];
  if (referral.targetUserId) users.add(referral.targetUserId);
  if (referral.targetServiceId) {
    for (const member of await db.serviceMember.findMany({ where: { serviceId: referral.targetServiceId }, select: { userId: true } })) users.add(member.userId);
  }
  return [...users];
}
