// GET /fhir/metadata → the CapabilityStatement (open, like every FHIR server's).
import { capabilityStatement } from '../../../lib/fhir/capability-statement';
import { fhirContextFor, fhirResponse } from '../_lib/fhir-route';
import { refuseChange } from '../_lib/read-only';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Response {
  return fhirResponse(capabilityStatement(fhirContextFor(request).origin));
}

/** Read-only API: a 405 OperationOutcome with Allow (read-only.ts) */
export const POST = refuseChange;
export const PUT = refuseChange;
export const PATCH = refuseChange;
export const DELETE = refuseChange;
