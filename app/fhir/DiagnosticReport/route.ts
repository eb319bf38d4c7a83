// GET /fhir/DiagnosticReport?patient.identifier=…|subject=…|imaging-study=…|study-instance-uid=…[&status=…] → searchset Bundle
import { searchDiagnosticReports } from '../../../lib/fhir/search-diagnostic-reports';
import { answerFhir } from '../_lib/fhir-route';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return answerFhir(request, 'FHIR DiagnosticReport search', (context, principal) => searchDiagnosticReports(context, principal, new URL(request.url).searchParams));
}
