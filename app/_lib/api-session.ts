// Session glue for API route handlers: every /api route except health and
// sign-in starts with requireApiUser(). Changes (POST/PUT/PATCH/DELETE) must
// come from our own pages (Origin check, see lib/auth/same-origin.ts).
import {
  MUTATING_METHODS,
  SESSION_COOKIE_NAME,
  clientAddressFromNormalizedHeaders,
  isSameOriginRequest,
  readCookie,
  signedInUserForSession,
  type ClientAddress,
  type SignedInUser,
} from '../../lib/auth';
import type { Principal } from '../../lib/policy/principal';
import { getRuntime } from '../../lib/runtime';
import { jsonError } from './json-response';

export interface ApiCaller {
  user: SignedInUser;
  client: ClientAddress;
  sessionToken: string;
}

export function isSameOriginApiRequest(request: Request): boolean {
  const trustProxy = getRuntime().config.trustProxy;
  return isSameOriginRequest({
    origin: request.headers.get('origin'),
    referer: request.headers.get('referer'),
    host: request.headers.get('host'),
    forwardedHost: trustProxy ? request.headers.get('x-forwarded-host') : null,
  });
}

export function sessionTokenOf(request: Request): string | undefined {
  return readCookie(request.headers.get('cookie'), SESSION_COOKIE_NAME);
}

/** The signed-in caller, or the Response to send instead (401, or 403 for a cross-origin change). */
export async function requireApiUser(request: Request): Promise<ApiCaller | Response> {
  if (MUTATING_METHODS.has(request.method.toUpperCase()) && !isSameOriginApiRequest(request)) {
    getRuntime().logger.warn('cross-origin API change refused (CSRF defence)', { path: new URL(request.url).pathname });
    return jsonError(403, 'CROSS_ORIGIN', 'This request must come from a Telepacs page.');
  }
  const sessionToken = sessionTokenOf(request);
  const user = sessionToken ? await signedInUserForSession(getRuntime(), sessionToken) : null;
  if (!user || !sessionToken) return jsonError(401, 'UNAUTHENTICATED', 'Sign in first.');
  return { user, client: clientAddressFromNormalizedHeaders(request.headers), sessionToken };
}

/** The caller as the domain operations take it (lib/policy/principal.ts). */
export function principalOf(caller: ApiCaller): Principal {
  return { userId: caller.user.id, email: caller.user.email, ip: caller.client.ip };
}

/** How a request names what it asks for, for the audit trail ("POST /api/…"). */
export function requestResource(request: Request): string {
  return `${request.method} ${new URL(request.url).pathname}`;
}
