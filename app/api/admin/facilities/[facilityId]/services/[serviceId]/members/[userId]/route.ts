// PATCH  /api/admin/facilities/:facilityId/services/:serviceId/members/:userId {onCall: true|false}
//   → {status: "updated", onCall, changed}; on call: told when an emergency-transfer alarm escalates.
//   400 INVALID_INPUT (fields.onCall), 404 for a person not in the service and for anyone but its facility's admins.
// DELETE /api/admin/facilities/:facilityId/services/:serviceId/members/:userId → {status: "removed"}
import { getRuntime } from '../../../../../../../../../lib/runtime';
import { removeServiceMember } from '../../../../../../../../../lib/services/remove-service-member';
import { setServiceMemberOnCall } from '../../../../../../../../../lib/services/set-on-call';
import { jsonBody, noStore, withSignedInCaller } from '../../../../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function PATCH(request: Request, { params }: { params: Promise<{ facilityId: string; serviceId: string; userId: string }> }): Promise<Response> {
  const { facilityId, serviceId, userId } = await params;
  return withSignedInCaller(request, 'change on-call status', async (_caller, actor) => {
    const result = await setServiceMemberOnCall(getRuntime(), actor, facilityId, serviceId, userId, await jsonBody(request));
    return noStore({ status: 'updated', ...result });
  });
}

export async function DELETE(request: Request, { params }: { params: Promise<{ facilityId: string; serviceId: string; userId: string }> }): Promise<Response> {
  const { facilityId, serviceId, userId } = await params;
  return withSignedInCaller(request, 'remove service member', async (_caller, actor) => {
    await removeServiceMember(getRuntime(), actor, facilityId, serviceId, userId);
    return noStore({ status: 'removed' });
  });
}
