// GET /fhir/ServiceRequest/<id> → the second-opinion case as a ServiceRequest, or 404 OperationOutcome
import { readServiceRequest } from '../../../../lib/fhir/read-service-request';
import { answerFhir } from '../../_lib/fhir-route';
import { refuseChange } from '../../_lib/read-only';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return answerFhir(request, 'FHIR ServiceRequest read', (context, principal) => readServiceRequest(context, principal, id));
}

/** Read-only: a 405 OperationOutcome with Allow (read-only.ts) */
export const POST = refuseChange;
export const PUT = refuseChange;
export const PATCH = refuseChange;
export const DELETE = refuseChange;
