// GET /api/reports/{id}/pdf[?version=n] → the signed version's PDF as stored in the archive
// (lib/reports/report-pdf.ts), an attachment; audited report.download. 404 when the caller may not
// read the report, the version does not exist or is not signed, or no PDF was stored for it.
// A browser sends its session cookie; a hospital system following a FHIR DiagnosticReport's
// presentedForm sends its API token (Authorization: Bearer), authenticated as /fhir and DICOMweb are.
import { authenticateCaller } from '../../../../../lib/auth/authenticate-caller';
import type { Principal } from '../../../../../lib/policy/principal';
import { reportPdf } from '../../../../../lib/reports/report-pdf';
import { getRuntime } from '../../../../../lib/runtime';
import { answerErrors } from '../../../../_lib/error-response';
import { withReportCaller } from '../../_lib/report-route';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  const asked = new URL(request.url).searchParams.get('version');
  // A version that is not a positive whole number names none: 404 like any version the caller cannot see
  const version = asked === null ? undefined : /^[1-9][0-9]{0,5}$/.test(asked) ? Number(asked) : 0;
  const send = async (principal: Principal) => {
    const pdf = await reportPdf(getRuntime(), principal, id, { version });
    return new Response(new Uint8Array(pdf.bytes), {
      status: 200,
      headers: {
        'content-type': 'application/pdf',
        'content-length': String(pdf.bytes.length),
        'content-disposition': `attachment; filename="${pdf.filename}"`,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      },
    });
  };
  if (request.headers.has('authorization')) {
    return answerErrors('download report pdf', async () => send(await authenticateCaller(getRuntime(), request)));
  }
  return withReportCaller(request, 'download report pdf', send);
}
