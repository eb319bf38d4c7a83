// POST /api/reports/{id}/addendum {baseRevision, reason, sections?} → the report with an addendum (kind ADDENDUM: only its Addendum section is written);
// 400 REASON_REQUIRED without a reason, 409 when the report is not signed or a new version is already open.
import { addAddendum } from '../../../../../lib/reports/add-addendum';
import { getRuntime } from '../../../../../lib/runtime';
import { reportAnswer, withReportCaller } from '../../_lib/report-route';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return withReportCaller(request, 'addendum report', async (principal, body) => reportAnswer(await addAddendum(getRuntime(), principal, id, await body()), 201));
}
