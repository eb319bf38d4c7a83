// POST /api/auth/second-factor/enrolment — setting up a TOTP app, for a
// signed-in user (account page) or for a sign-in waiting for an enrolment
// (the facility requires a second factor):
//   {action: 'start'}         → 200 {secret, uri, qrSvg} (not active yet)
//   {action: 'confirm', code} → 200 {recoveryCodes} (shown once); a waiting
//                                sign-in becomes a session (new cookie)
import { clientAddressFromNormalizedHeaders, sessionCookieHeader, signedInUserForSession } from '../../../../../lib/auth';
import { confirmTotpEnrolment, startTotpEnrolment } from '../../../../../lib/auth/second-factor/enrolment';
import { promotePendingSignIn, resolvePendingSignIn } from '../../../../../lib/auth/second-factor/pending-sign-in';
import { getRuntime } from '../../../../../lib/runtime';
import { isSameOriginApiRequest, sessionTokenOf } from '../../../../_lib/api-session';
import { jsonError } from '../../../../_lib/json-response';
import { errorResponse, jsonBody, noStore } from '../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function POST(request: Request): Promise<Response> {
  if (!isSameOriginApiRequest(request)) return jsonError(403, 'CROSS_ORIGIN', 'This request must come from a Telepacs page.');
  const runtime = getRuntime();
  const token = sessionTokenOf(request);
  const signedIn = await signedInUserForSession(runtime, token);
  const pending = signedIn ? null : await resolvePendingSignIn(runtime, token);
  const person = signedIn && !signedIn.guest ? signedIn : pending?.stage === 'ENROL' ? pending.user : null;
  if (!person) return jsonError(401, 'UNAUTHENTICATED', 'Sign in first.');
  const client = clientAddressFromNormalizedHeaders(request.headers);
  const body = (await jsonBody(request)) as { action?: unknown; code?: unknown };
  try {
    if (body.action === 'start') return noStore(await startTotpEnrolment(runtime, person));
    if (body.action !== 'confirm') return jsonError(400, 'INVALID_INPUT', "action must be 'start' or 'confirm'");
    const { recoveryCodes } = await confirmTotpEnrolment(runtime, person, String(body.code ?? ''), client);
    if (!pending) return noStore({ recoveryCodes });
    const session = await promotePendingSignIn(runtime, pending, { ip: client.ip, userAgent: request.headers.get('user-agent') ?? undefined }, { secondFactor: 'ENROLLED' });
    return Response.json({ recoveryCodes }, { headers: { 'set-cookie': sessionCookieHeader(session.sessionToken, { secure: client.secure }), 'cache-control': 'no-store' } });
  } catch (error) {
    return errorResponse(error, 'second-factor enrolment');
  }
}
