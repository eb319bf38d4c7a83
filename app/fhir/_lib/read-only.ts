// The FHIR API is read-only (issue 14): every /fhir route answers the methods
// that would change something with a 405 OperationOutcome (issue code
// not-supported) and an Allow header, rather than Next's bare 405, so a
// hospital system's FHIR client gets an answer it can parse. A route exports
// these beside its GET (export const POST = refuseChange, …).
import { operationOutcome } from '../../../lib/fhir/operation-outcome';
import { fhirResponse } from './fhir-route';

export const FHIR_ALLOWED_METHODS = 'GET, HEAD';

export function refuseChange(request: Request): Response {
  const message = `This FHIR server is read-only: ${request.method} is not supported. Use GET; GET /fhir/metadata lists what it answers.`;
  return fhirResponse(operationOutcome('not-supported', message), 405, { allow: FHIR_ALLOWED_METHODS });
}
