// POST /api/auth/sign-in — JSON ({email, password} -> 200 {user}) for scripts
// and the sign-in page; an HTML form post (no JavaScript) gets a 303 redirect.
// An account with a second factor gets 200 {secondFactor: 'CODE' | 'ENROL', next}
// and a pending-sign-in cookie; POST /api/auth/second-factor finishes it.
import { z } from 'zod';
import { MAX_PASSWORD_LENGTH, clientAddressFromNormalizedHeaders, readCookie, sessionCookieHeader, signIn } from '../../../../lib/auth';
import { KNOWN_DEVICE_COOKIE_NAME, knownDeviceCookieHeader } from '../../../../lib/auth/known-device';
import { getRuntime } from '../../../../lib/runtime';
import { isSameOriginApiRequest } from '../../../_lib/api-session';
import { readSignInStep } from '../../../_lib/sign-in-step';
import { answerErrors } from '../../../_lib/error-response';

export const dynamic = 'force-dynamic';

const ZSignInRequest = z.object({
  email: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
  next: z.string().max(2048).optional(),
});


// Unexpected failures answer the one way (app/_lib/error-response.ts)
export const POST = (request: Request): Promise<Response> => answerErrors('sign in', () => signInWithPassword(request));

async function signInWithPassword(request: Request): Promise<Response> {
  const { isForm, input, returnTo, fail } = await readSignInStep(request, ZSignInRequest);

  // Browsers always send Origin on a POST; a different one is a login-CSRF
  // attempt (signing the victim into the attacker's account). Scripts send none.
  if (request.headers.get('origin') && !isSameOriginApiRequest(request)) return fail('CROSS_ORIGIN');
  if (!input) return fail('INVALID_INPUT');

  const client = clientAddressFromNormalizedHeaders(request.headers);
  const result = await signIn(getRuntime(), {
    email: input.email,
    password: input.password,
    ip: client.ip,
    userAgent: request.headers.get('user-agent') ?? undefined,
    knownDeviceCookie: readCookie(request.headers.get('cookie'), KNOWN_DEVICE_COOKIE_NAME),
  });
  if (!result.ok) return fail(result.reason, result.reason === 'RATE_LIMITED' ? result.retryAfterSeconds : undefined);

  // The session (or a pending sign-in awaiting the code), and the known-device
  // cookie that keeps this browser's sign-ins apart from anyone else's failures
  const headers = new Headers({ 'cache-control': 'no-store' });
  headers.append('set-cookie', sessionCookieHeader(result.sessionToken, { secure: client.secure }));
  headers.append('set-cookie', knownDeviceCookieHeader(result.knownDevice, { secure: client.secure }));
  if (result.secondFactor) {
    // The password was right; the cookie holds a pending sign-in that opens
    // nothing until the code (or the enrolment) on the sign-in page.
    const secondStep = `/sign-in?${new URLSearchParams({ next: returnTo })}`;
    if (isForm) {
      headers.set('location', secondStep);
      return new Response(null, { status: 303, headers });
    }
    return Response.json({ secondFactor: result.secondFactor, next: secondStep }, { headers });
  }
  if (isForm) {
    headers.set('location', returnTo);
    return new Response(null, { status: 303, headers });
  }
  return Response.json({ user: result.user, expiresAt: result.expiresAt.toISOString(), next: returnTo }, { headers });
}
