// POST /api/reports/{id}/amend {baseRevision, reason, sections?} → the report with an amendment (kind AMENDMENT, a draft of the caller);
// 400 REASON_REQUIRED without a reason, 409 when the report is not signed or a new version is already open.
import { amendReport } from '../../../../../lib/reports/amend-report';
import { getRuntime } from '../../../../../lib/runtime';
import { reportAnswer, withReportCaller } from '../../_lib/report-route';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return withReportCaller(request, 'amend report', async (principal, body) => reportAnswer(await amendReport(getRuntime(), principal, id, await body()), 201));
}
