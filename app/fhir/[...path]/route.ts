// Any other /fhir path (an unknown resource type or interaction), whatever the
// method: 404 OperationOutcome naming what is supported (GET /fhir/metadata lists it).
import { operationOutcome } from '../../../lib/fhir/operation-outcome';
import { fhirResponse } from '../_lib/fhir-route';

export const dynamic = 'force-dynamic';

export function GET(): Response {
  return fhirResponse(operationOutcome('not-supported', 'Not supported here. GET /fhir/metadata lists the resources and searches this server answers.'), 404);
}

export const POST = GET;
export const PUT = GET;
export const PATCH = GET;
export const DELETE = GET;
