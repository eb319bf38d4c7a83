// GET /api/facilities/{facilityId}/report-templates → {templates: [...]} the templates a member picks from
// (shipped and the facility's own, not retired); 404 for a non-member.
import { listReportTemplates } from '../../../../../lib/reports/templates/list-report-templates';
import { getRuntime } from '../../../../../lib/runtime';
import { reportAnswer, withReportCaller } from '../../../reports/_lib/report-route';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ facilityId: string }> }): Promise<Response> {
  const { facilityId } = await params;
  return withReportCaller(request, 'list report templates', async (principal) => reportAnswer({ templates: await listReportTemplates(getRuntime(), principal, facilityId) }));
}
