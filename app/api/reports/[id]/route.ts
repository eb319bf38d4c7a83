// GET /api/reports/{id}[?version=n] → the report as the caller may see it (lib/reports/report-view.ts), audited report.view
// PUT /api/reports/{id} {baseRevision, sections?: [{key, text, pick?}], comparisonStudyUid?, keyImages?} → the saved report;
//     409 when baseRevision is not the newest (another tab or person saved, or it is signed)
import { getReport } from '../../../../lib/reports/get-report';
import { saveDraft } from '../../../../lib/reports/save-draft';
import { getRuntime } from '../../../../lib/runtime';
import { reportAnswer, withReportCaller } from '../_lib/report-route';

export const dynamic = 'force-dynamic';

type Params = { params: Promise<{ id: string }> };

export async function GET(request: Request, { params }: Params): Promise<Response> {
  const { id } = await params;
  const asked = new URL(request.url).searchParams.get('version');
  // A version that is not a positive whole number names none: 404 like any version the caller cannot see
  const version = asked === null ? undefined : /^[1-9][0-9]{0,5}$/.test(asked) ? Number(asked) : 0;
  return withReportCaller(request, 'get report', async (principal) => reportAnswer(await getReport(getRuntime(), principal, id, { version })));
}

export async function PUT(request: Request, { params }: Params): Promise<Response> {
  const { id } = await params;
  return withReportCaller(request, 'save report draft', async (principal, body) => reportAnswer(await saveDraft(getRuntime(), principal, id, await body())));
}
