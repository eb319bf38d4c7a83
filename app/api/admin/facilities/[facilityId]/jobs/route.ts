// GET /api/admin/facilities/:facilityId/jobs → {jobs: [{id, type, label, key, state, attempts, maxAttempts, lastError, nextRunAt, createdAt}]}
// The facility's background jobs that keep failing (3 attempts or more, or FAILED); 404 unless the caller administers it.
import { listFailingJobs } from '../../../../../../lib/jobs/list-failing-jobs';
import { getRuntime } from '../../../../../../lib/runtime';
import { noStore, withSignedInCaller } from '../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ facilityId: string }> }): Promise<Response> {
  const { facilityId } = await params;
  return withSignedInCaller(request, 'list failing jobs', async (_caller, actor) => noStore({ jobs: await listFailingJobs(getRuntime(), actor, facilityId) }));
}
