// GET /fhir/Task?owner=Practitioner/…|HealthcareService/…&status=…[&_count=…] → searchset Bundle of the caller's cases' Tasks
import { searchTasks } from '../../../lib/fhir/search-tasks';
import { answerFhir } from '../_lib/fhir-route';
import { refuseChange } from '../_lib/read-only';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return answerFhir(request, 'FHIR Task search', (context, principal) => searchTasks(context, principal, new URL(request.url).searchParams));
}

/** Read-only (a case is created as a ServiceRequest): a 405 OperationOutcome with Allow (read-only.ts) */
export const POST = refuseChange;
export const PUT = refuseChange;
export const PATCH = refuseChange;
export const DELETE = refuseChange;
