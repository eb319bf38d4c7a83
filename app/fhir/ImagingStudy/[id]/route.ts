// GET /fhir/ImagingStudy/<id> → the ImagingStudy, or 404 OperationOutcome
import { readImagingStudy } from '../../../../lib/fhir/read-imaging-study';
import { answerFhir } from '../../_lib/fhir-route';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return answerFhir(request, 'FHIR ImagingStudy read', (context, principal) => readImagingStudy(context, principal, id));
}
