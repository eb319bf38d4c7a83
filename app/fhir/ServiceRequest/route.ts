// POST /fhir/ServiceRequest (a ServiceRequest, application/fhir+json) → 201, the case as a ServiceRequest, Location
// GET /fhir/ServiceRequest?patient.identifier=…[&_count=…] → searchset Bundle of the caller's cases
import { createServiceRequest } from '../../../lib/fhir/create-service-request';
import { searchServiceRequests } from '../../../lib/fhir/search-service-requests';
import { answerFhir, answerFhirCreate } from '../_lib/fhir-route';
import { refuseChangeExceptCreate } from '../_lib/read-only';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return answerFhir(request, 'FHIR ServiceRequest search', (context, principal) => searchServiceRequests(context, principal, new URL(request.url).searchParams));
}

export function POST(request: Request): Promise<Response> {
  return answerFhirCreate(request, 'FHIR ServiceRequest create', (context, principal, body) => createServiceRequest(context, principal, body));
}

/** No update or delete: a 405 OperationOutcome with Allow (read-only.ts) */
export const PUT = refuseChangeExceptCreate;
export const PATCH = refuseChangeExceptCreate;
export const DELETE = refuseChangeExceptCreate;
