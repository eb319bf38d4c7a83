// GET /fhir/HealthcareService[?name=…] → searchset Bundle of the services a case can be addressed to
import { searchHealthcareServices } from '../../../lib/fhir/search-healthcare-services';
import { answerFhir } from '../_lib/fhir-route';
import { refuseChange } from '../_lib/read-only';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return answerFhir(request, 'FHIR HealthcareService search', (context, principal) => searchHealthcareServices(context, principal, new URL(request.url).searchParams));
}

/** Read-only: a 405 OperationOutcome with Allow (read-only.ts) */
export const POST = refuseChange;
export const PUT = refuseChange;
export const PATCH = refuseChange;
export const DELETE = refuseChange;
