// GET /fhir/metadata → the CapabilityStatement (open, like every FHIR server's).
import { capabilityStatement } from '../../../lib/fhir/capability-statement';
import { fhirContextFor, fhirResponse } from '../_lib/fhir-route';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Response {
  return fhirResponse(capabilityStatement(fhirContextFor(request).origin));
}
