// GET /fhir/ImagingStudy?patient.identifier=…|subject=…|identifier=… → searchset Bundle
import { searchImagingStudies } from '../../../lib/fhir/search-imaging-studies';
import { answerFhir } from '../_lib/fhir-route';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return answerFhir(request, 'FHIR ImagingStudy search', (context, principal) => searchImagingStudies(context, principal, new URL(request.url).searchParams));
}
