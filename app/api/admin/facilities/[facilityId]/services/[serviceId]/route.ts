// PATCH /api/admin/facilities/:facilityId/services/:serviceId
//   {name?, code?, description?, disabled?, turnaroundStatMinutes?, turnaroundUrgentMinutes?, turnaroundRoutineMinutes?,
//    transferEscalationMinutes? (1–60), transferAccessHours? (1–168)}
//   → {status: "updated"}; turnarounds in whole minutes, stat ≤ urgent ≤ routine (400 with `fields` otherwise)
import { getRuntime } from '../../../../../../../lib/runtime';
import { updateService } from '../../../../../../../lib/services/update-service';
import { jsonBody, noStore, withSignedInCaller } from '../../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function PATCH(request: Request, { params }: { params: Promise<{ facilityId: string; serviceId: string }> }): Promise<Response> {
  const { facilityId, serviceId } = await params;
  return withSignedInCaller(request, 'change service', async (_caller, actor) => {
    await updateService(getRuntime(), actor, facilityId, serviceId, await jsonBody(request));
    return noStore({ status: 'updated' });
  });
}
