// The FHIR API reads (issue 14) and creates only second-opinion cases
// (POST /fhir/ServiceRequest, issue 15): every /fhir route answers the methods
// it does not take with a 405 OperationOutcome (issue code not-supported) and
// an Allow header, rather than Next's bare 405, so a hospital system's FHIR
// client gets an answer it can parse. A route exports these beside its GET
// (export const POST = refuseChange, …; the ServiceRequest type's route:
// refuseChangeExceptCreate; Consent: refuseConsentChange).
import { operationOutcome } from '../../../lib/fhir/operation-outcome';
import { fhirResponse } from './fhir-route';

export const FHIR_ALLOWED_METHODS = 'GET, HEAD';

export function refuseChange(request: Request): Response {
  const message = `This FHIR resource is read-only: ${request.method} is not supported. Use GET; GET /fhir/metadata lists what it answers.`;
  return fhirResponse(operationOutcome('not-supported', message), 405, { allow: FHIR_ALLOWED_METHODS });
}

/** /fhir/ServiceRequest: read, search and create; no update or delete */
export function refuseChangeExceptCreate(request: Request): Response {
  const message = `${request.method} is not supported here: cases are created (POST), read and searched (GET). GET /fhir/metadata lists what it answers.`;
  return fhirResponse(operationOutcome('not-supported', message), 405, { allow: 'GET, HEAD, POST' });
}

/** /fhir/Consent: create and search; /fhir/Consent/<id>: read and update (status changes) */
export function refuseConsentChange(allow: 'GET, HEAD, POST' | 'GET, HEAD, PUT'): (request: Request) => Response {
  return (request) => {
    const message = `${request.method} is not supported here: consents are created (POST /fhir/Consent), read and searched (GET), and change status by PUT /fhir/Consent/<id>. GET /fhir/metadata lists what it answers.`;
    return fhirResponse(operationOutcome('not-supported', message), 405, { allow });
  };
}
