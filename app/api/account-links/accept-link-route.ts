// Shared by the invitation and password-reset APIs: no session needed (the
// link is the credential), but the POST must come from our own page, and the
// answer signs the person in (session cookie).
import { clientAddressFromNormalizedHeaders, sessionCookieHeader } from '../../../lib/auth';
import type { AcceptedAccountLink } from '../../../lib/users/accept-account-link';
import { isSameOriginApiRequest } from '../../_lib/api-session';
import { jsonError } from '../../_lib/json-response';
import { errorResponse, jsonBody } from '../../admin/_lib/api-handler';

export async function acceptLinkRoute(
  request: Request,
  where: string,
  accept: (input: unknown, client: { ip: string; userAgent?: string }) => Promise<AcceptedAccountLink>,
): Promise<Response> {
  if (!isSameOriginApiRequest(request)) return jsonError(403, 'CROSS_ORIGIN', 'This request must come from a Telepacs page.');
  const client = clientAddressFromNormalizedHeaders(request.headers);
  try {
    const accepted = await accept(await jsonBody(request), { ip: client.ip, userAgent: request.headers.get('user-agent') ?? undefined });
    return Response.json(
      { user: accepted.user, expiresAt: accepted.expiresAt.toISOString() },
      { headers: { 'set-cookie': sessionCookieHeader(accepted.sessionToken, { secure: client.secure }), 'cache-control': 'no-store' } },
    );
  } catch (error) {
    return errorResponse(error, where);
  }
}
