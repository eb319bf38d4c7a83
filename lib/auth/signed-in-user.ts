// What the portal's pages know about the person at the keyboard.
import type { Role } from '../policy';
import type { AuthContext } from './auth-context';
import { chooseActingFacility } from '../facilities/acting-facility';
import { resolveSession } from './sessions';

export interface SignedInUser {
  id: string;
  email: string;
  name: string;
  sessionId: string;
  /** When the session ends unless used again (lib/auth/sessions.ts) */
  sessionExpiresAt: Date;
  memberships: { facilityId: string; facilityName: string; facilityCode: string; role: Role }[];
  /** A teleconsultation's guest (no account, no memberships): confined to guestConsultationId */
  guest: boolean;
  /** The guest's open teleconsultation; null for everyone else */
  guestConsultationId: string | null;
  /** Manages the node's facilities (lib/policy/node-admin.ts decides; this only shows the link) */
  nodeAdmin: boolean;
  /**
   * The facility they act for: the one chosen in the header when it is still
   * among their memberships, else their first. null without memberships.
   * Read it with actingFacilityFor (lib/facilities/acting-facility.ts).
   */
  actingFacilityId: string | null;
}

/** The user of a session token with their memberships, or null when signed out. */
export async function signedInUserForSession(context: AuthContext, sessionToken: string | undefined): Promise<SignedInUser | null> {
  const session = await resolveSession(context.db, sessionToken, { ttlHours: context.config.sessionTtlHours });
  if (!session) return null;
  const { guestConsultationId } = session;
  const sessionExpiresAt = session.expiresAt;
  if (session.user.guest) {
    return { ...session.user, sessionId: session.sessionId, sessionExpiresAt, memberships: [], guestConsultationId, actingFacilityId: null };
  }
  // A disabled facility is gone for its members at once: no pages, no admin
  // area, no realtime room, no acting for it (its data is kept).
  const memberships = await context.db.membership.findMany({
    where: { userId: session.user.id, facility: { disabledAt: null } },
    include: { facility: { select: { name: true, code: true } } },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
  return {
    ...session.user,
    sessionId: session.sessionId,
    sessionExpiresAt,
    guestConsultationId,
    actingFacilityId: chooseActingFacility(memberships.map((membership) => membership.facilityId), session.actingFacilityId),
    memberships: memberships.map((membership) => ({
      facilityId: membership.facilityId,
      facilityName: membership.facility.name,
      facilityCode: membership.facility.code,
      role: membership.role as Role,
    })),
  };
}
