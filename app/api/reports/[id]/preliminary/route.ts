// POST /api/reports/{id}/preliminary {baseRevision} → the report, now PRELIMINARY (readable by referrers)
import { makePreliminary } from '../../../../../lib/reports/make-preliminary';
import { getRuntime } from '../../../../../lib/runtime';
import { reportAnswer, withReportCaller } from '../../_lib/report-route';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return withReportCaller(request, 'release preliminary report', async (principal, body) => reportAnswer(await makePreliminary(getRuntime(), principal, id, await body())));
}
