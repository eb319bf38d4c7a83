// DELETE /api/admin/facilities/:facilityId/invitations/:invitationId → 204 (the link stops working)
import { getRuntime } from '../../../../../../../lib/runtime';
import { revokeInvitation } from '../../../../../../../lib/users/revoke-invitation';
import { withSignedInCaller } from '../../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function DELETE(request: Request, { params }: { params: Promise<{ facilityId: string; invitationId: string }> }): Promise<Response> {
  const { facilityId, invitationId } = await params;
  return withSignedInCaller(request, 'revoke invitation', async (_caller, actor) => {
    await revokeInvitation(getRuntime(), actor, facilityId, invitationId);
    return new Response(null, { status: 204 });
  });
}
