// POST /guest/{token}/join → 200 {path, expiresAt} + session cookie: the
// "Join the teleconsultation" button. No session needed (the link is the
// credential), but the POST must come from our own page. A link that cannot
// be used: 404 LINK_INVALID, 410 LINK_USED / LINK_EXPIRED / LINK_REVOKED /
// LINK_ENDED, each with a sentence for the person holding it.
import { clientAddressFromNormalizedHeaders, sessionCookieHeader } from '../../../../lib/auth';
import { joinWithGuestLink } from '../../../../lib/consult/guest-links';
import { getRuntime } from '../../../../lib/runtime';
import { isSameOriginApiRequest } from '../../../_lib/api-session';
import { jsonError } from '../../../_lib/json-response';
import { errorResponse } from '../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, { params }: { params: Promise<{ token: string }> }): Promise<Response> {
  if (!isSameOriginApiRequest(request)) return jsonError(403, 'CROSS_ORIGIN', 'This request must come from a Telepacs page.');
  const client = clientAddressFromNormalizedHeaders(request.headers);
  try {
    const joined = await joinWithGuestLink(getRuntime(), (await params).token, { ip: client.ip, userAgent: request.headers.get('user-agent') ?? undefined });
    return Response.json(
      { path: joined.path, expiresAt: joined.expiresAt.toISOString() },
      { headers: { 'set-cookie': sessionCookieHeader(joined.sessionToken, { secure: client.secure }), 'cache-control': 'no-store' } },
    );
  } catch (error) {
    return errorResponse(error, 'join with guest link');
  }
}
