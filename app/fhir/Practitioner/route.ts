// GET /fhir/Practitioner[?name=…] → searchset Bundle of the experts a case can be addressed to
import { searchPractitioners } from '../../../lib/fhir/search-practitioners';
import { answerFhir } from '../_lib/fhir-route';
import { refuseChange } from '../_lib/read-only';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return answerFhir(request, 'FHIR Practitioner search', (context, principal) => searchPractitioners(context, principal, new URL(request.url).searchParams));
}

/** Read-only: a 405 OperationOutcome with Allow (read-only.ts) */
export const POST = refuseChange;
export const PUT = refuseChange;
export const PATCH = refuseChange;
export const DELETE = refuseChange;
