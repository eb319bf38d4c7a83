// GET /api/admin/facilities/:facilityId/storage → {studies, series, instances, bytes, disk}
import { getRuntime } from '../../../../../../lib/runtime';
import { viewStorageUsage } from '../../../../../../lib/storage/view-storage-usage';
import { noStore, withSignedInCaller } from '../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ facilityId: string }> }): Promise<Response> {
  const { facilityId } = await params;
  return withSignedInCaller(request, 'storage usage', async (_caller, actor) => noStore(await viewStorageUsage(getRuntime(), actor, facilityId)));
}
