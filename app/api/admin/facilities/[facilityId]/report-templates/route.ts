// GET  /api/admin/facilities/{facilityId}/report-templates → {templates} shipped and own, retired included
// POST /api/admin/facilities/{facilityId}/report-templates {name, modality?, bodyRegion?, sections: [{key, title, defaultText?, pickList?}]}
//      → 201 {template}; 400 with fields (e.g. no sections). 404 unless the caller administers the facility.
import { createReportTemplate } from '../../../../../../lib/reports/templates/create-report-template';
import { listReportTemplates } from '../../../../../../lib/reports/templates/list-report-templates';
import { getRuntime } from '../../../../../../lib/runtime';
import { jsonBody, noStore, withSignedInCaller } from '../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

type Params = { params: Promise<{ facilityId: string }> };

export async function GET(request: Request, { params }: Params): Promise<Response> {
  const { facilityId } = await params;
  return withSignedInCaller(request, 'list report templates', async (_caller, actor) => noStore({ templates: await listReportTemplates(getRuntime(), actor, facilityId, { includeRetired: true }) }));
}

export async function POST(request: Request, { params }: Params): Promise<Response> {
  const { facilityId } = await params;
  return withSignedInCaller(request, 'create report template', async (_caller, actor) => noStore({ template: await createReportTemplate(getRuntime(), actor, facilityId, await jsonBody(request)) }, 201));
}
