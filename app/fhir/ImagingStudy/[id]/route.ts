// GET /fhir/ImagingStudy/<id> → the ImagingStudy, or 404 OperationOutcome
import { readImagingStudy } from '../../../../lib/fhir/read-imaging-study';
import { answerFhir } from '../../_lib/fhir-route';
import { refuseChange } from '../../_lib/read-only';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return answerFhir(request, 'FHIR ImagingStudy read', (context, principal) => readImagingStudy(context, principal, id));
}

/** Read-only API: a 405 OperationOutcome with Allow (read-only.ts) */
export const POST = refuseChange;
export const PUT = refuseChange;
export const PATCH = refuseChange;
export const DELETE = refuseChange;
