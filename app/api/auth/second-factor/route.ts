// POST /api/auth/second-factor {code, next?} — the second step of a sign-in:
// the pending-sign-in cookie from POST /api/auth/sign-in plus a TOTP code or a
// recovery code → 200 {user, expiresAt, next} and a new session cookie (an HTML
// form post gets a 303). Refusals: 401 INVALID_CODE, 401 SIGN_IN_EXPIRED (sign
// in again), 429 RATE_LIMITED with Retry-After.
import { z } from 'zod';
import { clientAddressFromNormalizedHeaders, sessionCookieHeader } from '../../../../lib/auth';
import { completeSignInWithCode } from '../../../../lib/auth/second-factor/pending-sign-in';
import { getRuntime } from '../../../../lib/runtime';
import { isSameOriginApiRequest, sessionTokenOf } from '../../../_lib/api-session';
import { readSignInStep } from '../../../_lib/sign-in-step';
import { answerErrors } from '../../../_lib/error-response';

export const dynamic = 'force-dynamic';

const ZCodeRequest = z.object({ code: z.string().trim().min(1).max(64), next: z.string().max(2048).optional() });

// Unexpected failures answer the one way (app/_lib/error-response.ts)
export const POST = (request: Request): Promise<Response> => answerErrors('sign-in second step', () => completeSecondStep(request));

async function completeSecondStep(request: Request): Promise<Response> {
  const { isForm, input, returnTo, fail } = await readSignInStep(request, ZCodeRequest);

  if (request.headers.get('origin') && !isSameOriginApiRequest(request)) return fail('CROSS_ORIGIN');
  if (!input) return fail('INVALID_CODE');
  const client = clientAddressFromNormalizedHeaders(request.headers);
  const result = await completeSignInWithCode(getRuntime(), {
    pendingToken: sessionTokenOf(request),
    code: input.code,
    ip: client.ip,
    userAgent: request.headers.get('user-agent') ?? undefined,
  });
  if (!result.ok) return fail(result.reason, result.reason === 'RATE_LIMITED' ? result.retryAfterSeconds : undefined);

  const cookie = sessionCookieHeader(result.sessionToken, { secure: client.secure });
  if (isForm) return new Response(null, { status: 303, headers: { location: returnTo, 'set-cookie': cookie } });
  return Response.json(
    { user: result.user, expiresAt: result.expiresAt.toISOString(), next: returnTo, recoveryCodesLeft: result.recoveryCodesLeft ?? null },
    { headers: { 'set-cookie': cookie, 'cache-control': 'no-store' } },
  );
}
