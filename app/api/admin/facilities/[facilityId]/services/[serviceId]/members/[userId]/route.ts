// DELETE /api/admin/facilities/:facilityId/services/:serviceId/members/:userId → {status: "removed"}
import { getRuntime } from '../../../../../../../../../lib/runtime';
import { removeServiceMember } from '../../../../../../../../../lib/services/remove-service-member';
import { noStore, withSignedInCaller } from '../../../../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function DELETE(request: Request, { params }: { params: Promise<{ facilityId: string; serviceId: string; userId: string }> }): Promise<Response> {
  const { facilityId, serviceId, userId } = await params;
  return withSignedInCaller(request, 'remove service member', async (_caller, actor) => {
    await removeServiceMember(getRuntime(), actor, facilityId, serviceId, userId);
    return noStore({ status: 'removed' });
  });
}
