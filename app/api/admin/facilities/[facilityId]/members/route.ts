// GET /api/admin/facilities/:facilityId/members → {members, invitations}
import { getRuntime } from '../../../../../../lib/runtime';
import { viewFacilityMembers } from '../../../../../../lib/users/view-facility-members';
import { noStore, withSignedInCaller } from '../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ facilityId: string }> }): Promise<Response> {
  const { facilityId } = await params;
  return withSignedInCaller(request, 'list members', async (_caller, actor) => {
    const { members, invitations } = await viewFacilityMembers(getRuntime(), actor, facilityId);
    return noStore({ members, invitations });
  });
}
