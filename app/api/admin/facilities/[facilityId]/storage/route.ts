// GET /api/admin/facilities/:facilityId/storage → {studies, series, instances, bytes, disk}
import { authorizeAdminArea } from '../../../../../../lib/policy';
import { getRuntime } from '../../../../../../lib/runtime';
import { storageUsage } from '../../../../../../lib/storage/storage-usage';
import { noStore, withSignedInCaller } from '../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ facilityId: string }> }): Promise<Response> {
  const { facilityId } = await params;
  return withSignedInCaller(request, 'storage usage', async (_caller, actor) => {
    const { db, config } = getRuntime();
    await authorizeAdminArea(db, actor.userId, facilityId);
    return noStore(await storageUsage(db, facilityId, config.dataDir));
  });
}
