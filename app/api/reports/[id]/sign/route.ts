// POST /api/reports/{id}/sign {baseRevision, password} → the signed report (FINAL, AMENDED or ADDENDUM).
// 400 wrong password (fields.password), 429 throttled (Retry-After), 409 signed or changed meanwhile,
// 503 SIGN_FAILED: the PDF or archive objects could not be made; the report stays unsigned.
import { signReport } from '../../../../../lib/reports/sign-report';
import { signedArtifactsProducer } from '../../../../../lib/reports/signed-artifacts';
import { getRuntime } from '../../../../../lib/runtime';
import { reportAnswer, withReportCaller } from '../../_lib/report-route';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return withReportCaller(request, 'sign report', async (principal, body) => {
    const runtime = getRuntime();
    return reportAnswer(await signReport({ ...runtime, produceSignedArtifacts: signedArtifactsProducer(runtime) }, principal, id, await body()));
  });
}
