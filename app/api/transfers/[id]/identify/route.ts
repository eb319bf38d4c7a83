// POST /api/transfers/{id}/identify {patientRef} → {id, patientRef}: the sending team names an unidentified
//   patient's real record (of the sending facility); the temporary record is linked to it as the same person.
//   409 CONFLICT when the patient is identified already; 404 for a record of another facility.
import { identifyTransferPatient } from '../../../../../lib/transfers/identify-transfer-patient';
import { getRuntime } from '../../../../../lib/runtime';
import { transferAnswer, withTransferCaller } from '../../_lib/transfer-route';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return withTransferCaller(request, 'identify transfer patient', id, async (actor, body) => transferAnswer(await identifyTransferPatient(getRuntime(), actor, id, await body())));
}
