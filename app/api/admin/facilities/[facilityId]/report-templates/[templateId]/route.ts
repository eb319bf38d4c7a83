// PATCH /api/admin/facilities/{facilityId}/report-templates/{templateId} {name?, modality?, bodyRegion?, sections?, retired?}
//       → {template}; only the fields sent change; retired: true retires, false brings back. The shipped
//       templates and other facilities' are 404.
import { updateReportTemplate } from '../../../../../../../lib/reports/templates/update-report-template';
import { getRuntime } from '../../../../../../../lib/runtime';
import { jsonBody, noStore, withSignedInCaller } from '../../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function PATCH(request: Request, { params }: { params: Promise<{ facilityId: string; templateId: string }> }): Promise<Response> {
  const { facilityId, templateId } = await params;
  return withSignedInCaller(request, 'update report template', async (_caller, actor) =>
    noStore({ template: await updateReportTemplate(getRuntime(), actor, facilityId, templateId, await jsonBody(request)) }),
  );
}
