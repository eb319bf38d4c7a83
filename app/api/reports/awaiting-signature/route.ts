// GET /api/reports/awaiting-signature → {reports: [...]} waiting for the caller's co-signature, oldest request first
import { listAwaitingSignature } from '../../../../lib/reports/list-awaiting-signature';
import { getRuntime } from '../../../../lib/runtime';
import { reportAnswer, withReportCaller } from '../_lib/report-route';

export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  return withReportCaller(request, 'list reports awaiting signature', async (principal) => reportAnswer({ reports: await listAwaitingSignature(getRuntime(), principal) }));
}
