// GET  /api/admin/facilities/:facilityId/services → {facility, facilityMembers, services} (each service with its
//      turnaroundStatMinutes, turnaroundUrgentMinutes, turnaroundRoutineMinutes)
// POST /api/admin/facilities/:facilityId/services {name, code?, description?} → 201 {id}
// The facility's administrators and node administrators; 404 for everyone else.
import { getRuntime } from '../../../../../../lib/runtime';
import { createService } from '../../../../../../lib/services/create-service';
import { listServices } from '../../../../../../lib/services/list-services';
import { jsonBody, noStore, withSignedInCaller } from '../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ facilityId: string }> }): Promise<Response> {
  const { facilityId } = await params;
  return withSignedInCaller(request, 'list services', async (_caller, actor) => noStore(await listServices(getRuntime(), actor.userId, facilityId)));
}

export async function POST(request: Request, { params }: { params: Promise<{ facilityId: string }> }): Promise<Response> {
  const { facilityId } = await params;
  return withSignedInCaller(request, 'create service', async (_caller, actor) => noStore(await createService(getRuntime(), actor, facilityId, await jsonBody(request)), 201));
}
