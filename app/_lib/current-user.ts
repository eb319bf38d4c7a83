// Session glue for pages (server components): the runtime and the cookie come
// from the request, the decisions from lib/auth and lib/policy.
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { SESSION_COOKIE_NAME, signedInUserForSession, type SignedInUser } from '../../lib/auth';
import { consultationPagePath } from '../../lib/consult/guest-links';
import { getRuntime } from '../../lib/runtime';

export async function getSignedInUser(): Promise<SignedInUser | null> {
  const sessionToken = (await cookies()).get(SESSION_COOKIE_NAME)?.value;
  return signedInUserForSession(getRuntime(), sessionToken);
}

/**
 * The signed-in user, or a redirect to the sign-in page that comes back to
 * `returnTo`. A teleconsultation's guest is sent to their consultation: every
 * portal page but that one is closed to guests, here, in one place.
 */
export async function requireSignedInUser(returnTo: string): Promise<SignedInUser> {
  const user = await requireSignedInUserOrGuest(returnTo);
  if (user.guest) redirect(user.guestConsultationId ? consultationPagePath(user.guestConsultationId) : '/sign-in');
  return user;
}

/**
 * For the teleconsultation page only: members and guests alike. The page
 * must still load the consultation as its participant (consultationForParticipant
 * answers NOT_FOUND to anyone else), which keeps a guest in their own.
 */
export async function requireSignedInUserOrGuest(returnTo: string): Promise<SignedInUser> {
  const user = await getSignedInUser();
  if (!user) redirect(`/sign-in?next=${encodeURIComponent(returnTo)}`);
  return user;
}
