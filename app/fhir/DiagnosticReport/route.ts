// GET /fhir/DiagnosticReport?patient.identifier=…|subject=…|imaging-study=…|study-instance-uid=…[&status=…] → searchset Bundle
import { searchDiagnosticReports } from '../../../lib/fhir/search-diagnostic-reports';
import { answerFhir } from '../_lib/fhir-route';
import { refuseChange } from '../_lib/read-only';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return answerFhir(request, 'FHIR DiagnosticReport search', (context, principal) => searchDiagnosticReports(context, principal, new URL(request.url).searchParams));
}

/** Read-only API: a 405 OperationOutcome with Allow (read-only.ts) */
export const POST = refuseChange;
export const PUT = refuseChange;
export const PATCH = refuseChange;
export const DELETE = refuseChange;
