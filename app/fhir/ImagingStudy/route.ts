// GET /fhir/ImagingStudy?patient.identifier=…|subject=…|identifier=… → searchset Bundle
import { searchImagingStudies } from '../../../lib/fhir/search-imaging-studies';
import { answerFhir } from '../_lib/fhir-route';
import { refuseChange } from '../_lib/read-only';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return answerFhir(request, 'FHIR ImagingStudy search', (context, principal) => searchImagingStudies(context, principal, new URL(request.url).searchParams));
}

/** Read-only API: a 405 OperationOutcome with Allow (read-only.ts) */
export const POST = refuseChange;
export const PUT = refuseChange;
export const PATCH = refuseChange;
export const DELETE = refuseChange;
