// What the portal's pages know about the person at the keyboard.
import type { Role } from '../policy';
import type { AuthContext } from './auth-context';
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
}

/** The user of a session token with their memberships, or null when signed out. */
export async function signedInUserForSession(context: AuthContext, sessionToken: string | undefined): Promise<SignedInUser | null> {
  const session = await resolveSession(context.db, sessionToken, { ttlHours: context.config.sessionTtlHours });
  if (!session) return null;
  const { guestConsultationId } = session;
  const sessionExpiresAt = session.expiresAt;
  if (session.user.guest) return { ...session.user, sessionId: session.sessionId, sessionExpiresAt, memberships: [], guestConsultationId };
  const memberships = await context.db.membership.findMany({
    where: { userId: session.user.id },
    include: { facility: { select: { name: true, code: true } } },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
  return {
    ...session.user,
    sessionId: session.sessionId,
    sessionExpiresAt,
    guestConsultationId,
    memberships: memberships.map((membership) => ({
      facilityId: membership.facilityId,
      facilityName: membership.facility.name,
      facilityCode: membership.facility.code,
      role: membership.role as Role,
    })),
  };
}
