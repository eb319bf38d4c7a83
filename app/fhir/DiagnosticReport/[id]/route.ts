// GET /fhir/DiagnosticReport/<id> → the DiagnosticReport, or 404 OperationOutcome
import { readDiagnosticReport } from '../../../../lib/fhir/read-diagnostic-report';
import { answerFhir } from '../../_lib/fhir-route';
import { refuseChange } from '../../_lib/read-only';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return answerFhir(request, 'FHIR DiagnosticReport read', (context, principal) => readDiagnosticReport(context, principal, id));
}

/** Read-only API: a 405 OperationOutcome with Allow (read-only.ts) */
export const POST = refuseChange;
export const PUT = refuseChange;
export const PATCH = refuseChange;
export const DELETE = refuseChange;
