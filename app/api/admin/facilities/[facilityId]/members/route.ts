// GET /api/admin/facilities/:facilityId/members → {members, invitations}
import { authorizeAdminArea } from '../../../../../../lib/policy';
import { getRuntime } from '../../../../../../lib/runtime';
import { listFacilityMembers } from '../../../../../../lib/users/list-facility-members';
import { noStore, withSignedInCaller } from '../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ facilityId: string }> }): Promise<Response> {
  const { facilityId } = await params;
  return withSignedInCaller(request, 'list members', async (_caller, actor) => {
    const { db } = getRuntime();
    await authorizeAdminArea(db, actor.userId, facilityId);
    return noStore(await listFacilityMembers(db, facilityId));
  });
}
