// GET /federation/join?node=<host node id>&token=<guest link token>: a colleague, signed in at their
// own node, opens the invitation to a teleconsultation held at a paired node. → 303 to the host
// node's /federation/v1/consult/enter with this node's signed assertion of who they are. Not signed
// in: 303 to the sign-in page, back here after. A link of an unknown or suspended node, or a
// malformed one: the error page's words (404 / 409 / 404 LINK_INVALID as JSON for scripts).
import { remoteConsultationEntry } from '../../../lib/federation/consult/join-remote-consultation';
import { getRuntime } from '../../../lib/runtime';
import { requireApiUser } from '../../_lib/api-session';
import { errorResponse } from '../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const caller = await requireApiUser(request);
  if (caller instanceof Response) {
    return new Response(null, { status: 303, headers: { location: `/sign-in?next=${encodeURIComponent(`${url.pathname}${url.search}`)}`, 'cache-control': 'no-store' } });
  }
  try {
    const location = await remoteConsultationEntry(
      getRuntime(),
      { userId: caller.user.id, name: caller.user.name, email: caller.user.email, ip: caller.client.ip, actingFacilityId: caller.user.actingFacilityId },
      { node: url.searchParams.get('node'), token: url.searchParams.get('token') },
    );
    return new Response(null, { status: 303, headers: { location, 'cache-control': 'no-store' } });
  } catch (error) {
    return errorResponse(error, 'join a teleconsultation at another node');
  }
}
