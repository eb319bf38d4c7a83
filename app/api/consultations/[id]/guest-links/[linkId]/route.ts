// DELETE /api/consultations/{id}/guest-links/{linkId} → 204: the link stops
// working; if the guest already came, they are let go at once. Host only (404 otherwise).
import { revokeGuestLink } from '../../../../../../lib/consult/guest-links';
import { disconnectUser } from '../../../../../../lib/realtime/disconnect-user';
import { getRuntime } from '../../../../../../lib/runtime';
import { principalOf, requireApiUser } from '../../../../../_lib/api-session';
import { errorResponse } from '../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function DELETE(request: Request, { params }: { params: Promise<{ id: string; linkId: string }> }): Promise<Response> {
  const caller = await requireApiUser(request);
  if (caller instanceof Response) return caller;
  try {
    const { id, linkId } = await params;
    const runtime = getRuntime();
    const { letGoUserId } = await revokeGuestLink(runtime, principalOf(caller), id, linkId);
    if (letGoUserId) await disconnectUser(runtime.io, letGoUserId);
    return new Response(null, { status: 204 });
  } catch (error) {
    return errorResponse(error, 'revoke guest link');
  }
}
