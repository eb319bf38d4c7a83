// Guest accounts: an expert without a Telepacs account joins one
// teleconsultation by a one-time guest link (lib/consult/guest-links.ts),
// which creates a User with guest=true, no membership, no usable password,
// and a session that ends with the link's time limit. Identity keeps them
// confined: a guest session lives only while their consultation is open, a
// guest cannot sign in with a password or hold an API token, and what they
// may read is the consultation's study alone (lib/policy/archive-access.ts).
import { randomBytes } from 'node:crypto';
import type { Database } from '../../prisma/database';

/** RFC 2606 reserves .invalid: a guest's address can never receive mail or collide with a real one. */
export const GUEST_EMAIL_DOMAIN = 'guest.telepacs.invalid';

/**
 * Stored as a guest's passwordHash: not a PHC string, so argon2 verification
 * fails (verifyPassword answers false, it does not throw) for any password.
 */
export const UNUSABLE_PASSWORD_HASH = '!guest-account-no-password';

/** A unique address nobody can guess (the User.email column is unique and required). */
export function newGuestEmail(): string {
  return `guest-${randomBytes(16).toString('hex')}@${GUEST_EMAIL_DOMAIN}`;
}

/**
 * The open teleconsultation a guest belongs to, or null when it has ended
 * (or the guest was removed from it): then the guest's sessions are over.
 * One indexed lookup, made only for guest users.
 */
export async function openGuestConsultationId(db: Database, userId: string): Promise<string | null> {
  const participation = await db.consultationParticipant.findFirst({
    where: { userId, role: 'GUEST', consultation: { endedAt: null } },
    select: { consultationId: true },
  });
  return participation?.consultationId ?? null;
}
