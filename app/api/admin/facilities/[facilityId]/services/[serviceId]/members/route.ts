// POST /api/admin/facilities/:facilityId/services/:serviceId/members {userId} → 201 {status: "added"}
// The person must be an enabled member of the facility (400, fields.userId, otherwise).
import { getRuntime } from '../../../../../../../../lib/runtime';
import { addServiceMember } from '../../../../../../../../lib/services/add-service-member';
import { jsonBody, noStore, withSignedInCaller } from '../../../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, { params }: { params: Promise<{ facilityId: string; serviceId: string }> }): Promise<Response> {
  const { facilityId, serviceId } = await params;
  return withSignedInCaller(request, 'add service member', async (_caller, actor) => {
    await addServiceMember(getRuntime(), actor, facilityId, serviceId, await jsonBody(request));
    return noStore({ status: 'added' }, 201);
  });
}
