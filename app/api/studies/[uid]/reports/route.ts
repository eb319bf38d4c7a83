// GET  /api/studies/{uid}/reports → {reports: [{id, status, revision, latestVersion, versions, mayWrite}], mayWrite}
// POST /api/studies/{uid}/reports {templateId} → 201 {created: true, report} (a new draft), or 200 {created: false, report}
//      (the study's report already exists and is visible to the caller); 409 when a colleague's draft holds it.
// 404 for anyone who may not read the study's reports (lib/policy/report-access.ts).
import { createReport } from '../../../../../lib/reports/create-report';
import { listReportsForStudy } from '../../../../../lib/reports/list-reports-for-study';
import { getRuntime } from '../../../../../lib/runtime';
import { reportAnswer, withReportCaller } from '../../../reports/_lib/report-route';

export const dynamic = 'force-dynamic';

type Params = { params: Promise<{ uid: string }> };

export async function GET(request: Request, { params }: Params): Promise<Response> {
  const { uid } = await params;
  return withReportCaller(request, 'list reports', async (principal) => reportAnswer(await listReportsForStudy(getRuntime(), principal, uid)));
}

export async function POST(request: Request, { params }: Params): Promise<Response> {
  const { uid } = await params;
  return withReportCaller(request, 'create report', async (principal, body) => {
    const result = await createReport(getRuntime(), principal, uid, await body());
    return reportAnswer(result, result.created ? 201 : 200);
  });
}
