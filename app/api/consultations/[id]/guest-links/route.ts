// GET  /api/consultations/{id}/guest-links → {links: [{id, guestName, guestEmail, createdAt, expiresAt, usedAt, revokedAt, guestUserId, state}]}
// POST /api/consultations/{id}/guest-links {guestName, guestEmail?, hours?, facilityId?} → 201 {id, path, url, expiresAt, joinUrl?}
// With facilityId (a facility of a paired node, as GET /api/federation/destinations lists it) the link is
// for a colleague there: guestName may be left out, and joinUrl is the link to give them — at their own
// node, which signs who they are (README "Several nodes"); path/url alone do not let anyone in.
// The host's only: anyone else gets 404, as for an unknown id. The link's
// token is in path/url once, in this answer (only its hash is kept). url is
// absolute when PUBLIC_URL is set, else equal to path (the page prefixes its own origin).
import { createGuestLink, listGuestLinks } from '../../../../../lib/consult/guest-links';
import { nodeGuestJoinUrl } from '../../../../../lib/federation/consult/join-remote-consultation';
import { getRuntime } from '../../../../../lib/runtime';
import { requireApiUser } from '../../../../_lib/api-session';
import { absoluteLink, errorResponse, jsonBody, noStore } from '../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

type Params = { params: Promise<{ id: string }> };

export async function GET(request: Request, { params }: Params): Promise<Response> {
  const caller = await requireApiUser(request);
  if (caller instanceof Response) return caller;
  try {
    return noStore({ links: await listGuestLinks(getRuntime(), caller.user.id, (await params).id) });
  } catch (error) {
    return errorResponse(error, 'list guest links');
  }
}

export async function POST(request: Request, { params }: Params): Promise<Response> {
  const caller = await requireApiUser(request);
  if (caller instanceof Response) return caller;
  try {
    const actor = { userId: caller.user.id, email: caller.user.email, ip: caller.client.ip };
    const link = await createGuestLink(getRuntime(), actor, (await params).id, await jsonBody(request));
    const joinUrl = link.token ? await nodeGuestJoinUrl(getRuntime(), link.id, link.token) : null;
    return noStore({ id: link.id, path: link.path, url: absoluteLink(link.path) ?? link.path, expiresAt: link.expiresAt.toISOString(), ...(joinUrl ? { joinUrl } : {}) }, 201);
  } catch (error) {
    return errorResponse(error, 'create guest link');
  }
}
