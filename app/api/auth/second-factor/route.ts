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
import { jsonError } from '../../../_lib/json-response';
import { safeReturnPath } from '../../../_lib/return-path';
import { SIGN_IN_ERROR_STATUS, signInErrorMessage, type SignInErrorCode } from '../../../sign-in/messages';

export const dynamic = 'force-dynamic';

const ZCodeRequest = z.object({ code: z.string().trim().min(1).max(64), next: z.string().max(2048).optional() });

export async function POST(request: Request): Promise<Response> {
  const isForm = (request.headers.get('content-type') ?? '').includes('application/x-www-form-urlencoded');
  const body: unknown = isForm ? Object.fromEntries(await request.formData()) : await request.json().catch(() => null);
  const parsed = ZCodeRequest.safeParse(body);
  const returnTo = safeReturnPath(parsed.success ? parsed.data.next : undefined);

  const fail = (code: SignInErrorCode, retryAfterSeconds?: number): Response => {
    const retryHeaders: Record<string, string> = retryAfterSeconds ? { 'retry-after': String(retryAfterSeconds) } : {};
    if (!isForm) return jsonError(SIGN_IN_ERROR_STATUS[code], code, signInErrorMessage(code, retryAfterSeconds) ?? '', retryHeaders);
    const query = new URLSearchParams({ error: code, ...(retryAfterSeconds ? { retry: String(retryAfterSeconds) } : {}), next: returnTo });
    return new Response(null, { status: 303, headers: { location: `/sign-in?${query}`, ...retryHeaders } });
  };

  if (request.headers.get('origin') && !isSameOriginApiRequest(request)) return fail('CROSS_ORIGIN');
  if (!parsed.success) return fail('INVALID_CODE');
  const client = clientAddressFromNormalizedHeaders(request.headers);
  const result = await completeSignInWithCode(getRuntime(), {
    pendingToken: sessionTokenOf(request),
    code: parsed.data.code,
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
