import type { Database } from '../../prisma/database';
import type { Role } from '../policy/roles';

export interface FacilityMember {
  id: string;
  email: string;
  name: string;
  /** This facility's roles only */
  roles: Role[];
  disabled: boolean;
  /** A TOTP second factor is set up (confirmed) */
  secondFactor: boolean;
  /** Latest activity: a session's last request or the last sign-in; null if never */
  lastSeenAt: Date | null;
}

export interface PendingInvitation {
  id: string;
  email: string;
  role: string;
  createdAt: Date;
  expiresAt: Date;
}

const SIGN_IN_ACTIONS = ['auth.sign_in', 'account.accept_invitation', 'account.reset_password'];

/** The facility's members, by name, and its invitations still waiting. The caller has checked access. */
export async function listFacilityMembers(db: Database, facilityId: string, now = new Date()): Promise<{ members: FacilityMember[]; invitations: PendingInvitation[] }> {
  const users = await db.user.findMany({
    where: { memberships: { some: { facilityId } } },
    select: {
      id: true,
      email: true,
      name: true,
      disabled: true,
      memberships: { where: { facilityId }, select: { role: true } },
      totpFactor: { select: { confirmedAt: true } },
    },
    orderBy: [{ name: 'asc' }, { email: 'asc' }],
  });
  const userIds = users.map((user) => user.id);
  // Sessions are deleted at sign-out, so the last sign-in (audited; accepting
  // an invitation or a reset link signs in too) fills in.
  const [sessions, signIns, invitations] = await Promise.all([
    db.session.groupBy({ by: ['userId'], where: { userId: { in: userIds } }, _max: { lastSeenAt: true } }),
    db.auditEvent.groupBy({
      by: ['actorUserId'],
      where: { actorUserId: { in: userIds }, action: { in: SIGN_IN_ACTIONS }, outcome: 'SUCCESS' },
      _max: { at: true },
    }),
    db.accountLink.findMany({
      where: { facilityId, purpose: 'INVITE', usedAt: null, expiresAt: { gt: now } },
      select: { id: true, email: true, role: true, createdAt: true, expiresAt: true },
      orderBy: { createdAt: 'desc' },
    }),
  ]);
  const lastSeen = new Map<string, number>();
  const note = (userId: string | null, at: Date | null | undefined) => {
    if (userId && at) lastSeen.set(userId, Math.max(lastSeen.get(userId) ?? 0, at.getTime()));
  };
  for (const row of sessions) note(row.userId, row._max.lastSeenAt);
  for (const row of signIns) note(row.actorUserId, row._max.at);
  return {
    members: users.map((user) => ({
      id: user.id,
      email: user.email,
      name: user.name,
      roles: user.memberships.map((membership) => membership.role as Role).sort(),
      disabled: user.disabled,
      secondFactor: Boolean(user.totpFactor?.confirmedAt),
      lastSeenAt: lastSeen.has(user.id) ? new Date(lastSeen.get(user.id)!) : null,
    })),
    invitations,
  };
}
