// GET /api/health — no authentication: 200 {"status":"ok"} or 503 with the reason.
import { getRuntime } from '../../../lib/runtime';
import { checkHealth } from './check-health';

export const dynamic = 'force-dynamic';

export async function GET(): Promise<Response> {
  const report = await checkHealth(getRuntime());
  return Response.json(report, { status: report.status === 'ok' ? 200 : 503, headers: { 'cache-control': 'no-store' } });
}
