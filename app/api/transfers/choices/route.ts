// GET /api/transfers/choices?study=<StudyInstanceUID>&patient=<patientRef> → what the sending form offers:
//   {facility, services, studies, patient, preselected}; 403/404 for a caller who may not send from their facility.
import { transferFormChoices } from '../../../../lib/transfers/transfer-form-choices';
import { getRuntime } from '../../../../lib/runtime';
import { transferAnswer, withTransferCaller } from '../_lib/transfer-route';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return withTransferCaller(request, 'transfer form choices', null, async (actor) => {
    const params = new URL(request.url).searchParams;
    return transferAnswer(await transferFormChoices(getRuntime(), actor, { study: params.get('study') ?? undefined, patient: params.get('patient') ?? undefined }));
  });
}
