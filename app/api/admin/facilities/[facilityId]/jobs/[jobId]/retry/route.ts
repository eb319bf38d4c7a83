// POST /api/admin/facilities/:facilityId/jobs/:jobId/retry → 204: the job runs again now, with a fresh count
// of attempts (audited as admin.job.retry). 404 unless the caller administers the facility and the job is
// its; 409 when the job has succeeded already or is running now.
import { retryJob } from '../../../../../../../../lib/jobs/retry-job';
import { getRuntime } from '../../../../../../../../lib/runtime';
import { withSignedInCaller } from '../../../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, { params }: { params: Promise<{ facilityId: string; jobId: string }> }): Promise<Response> {
  const { facilityId, jobId } = await params;
  return withSignedInCaller(request, 'retry job', async (_caller, actor) => {
    await retryJob(getRuntime(), actor, facilityId, jobId);
    return new Response(null, { status: 204 });
  });
}
