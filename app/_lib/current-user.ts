// Session glue for pages (server components): the runtime and the cookie come
// from the request, the decisions from lib/auth and lib/policy.
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { SESSION_COOKIE_NAME, signedInUserForSession, type SignedInUser } from '../../lib/auth';
import { getRuntime } from '../../lib/runtime';

export async function getSignedInUser(): Promise<SignedInUser | null> {
  const sessionToken = (await cookies()).get(SESSION_COOKIE_NAME)?.value;
  return signedInUserForSession(getRuntime(), sessionToken);
}

/** The signed-in user, or a redirect to the sign-in page that comes back to `returnTo`. */
export async function requireSignedInUser(returnTo: string): Promise<SignedInUser> {
  const user = await getSignedInUser();
  if (!user) redirect(`/sign-in?next=${encodeURIComponent(returnTo)}`);
  return user;
}
