// GET /fhir/DiagnosticReport/<id> → the DiagnosticReport, or 404 OperationOutcome
import { readDiagnosticReport } from '../../../../lib/fhir/read-diagnostic-report';
import { answerFhir } from '../../_lib/fhir-route';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return answerFhir(request, 'FHIR DiagnosticReport read', (context, principal) => readDiagnosticReport(context, principal, id));
}
