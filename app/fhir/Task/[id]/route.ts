// GET /fhir/Task/<id> → the Task of a second-opinion case (its id is the case's), or 404 OperationOutcome
import { readTask } from '../../../../lib/fhir/read-task';
import { answerFhir } from '../../_lib/fhir-route';
import { refuseChange } from '../../_lib/read-only';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return answerFhir(request, 'FHIR Task read', (context, principal) => readTask(context, principal, id));
}

/** Read-only: a 405 OperationOutcome with Allow (read-only.ts) */
export const POST = refuseChange;
export const PUT = refuseChange;
export const PATCH = refuseChange;
export const DELETE = refuseChange;
