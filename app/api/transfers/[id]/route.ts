// GET /api/transfers/{id} → the notice as its page shows it (lib/transfers/get-transfer.ts); the receiving
//   team's first opening is recorded as "seen". 404 for anyone who takes no part (audited).
// PATCH /api/transfers/{id} {vitals?, etaMinutes? | etaAt?, studyInstanceUids?, confirmVitals?} → {id, revision}:
//   the sending team's news on the way; 409 CONFLICT once arrived or cancelled, 409 CONFIRMATION_REQUIRED for unusual vitals.
import { getTransfer } from '../../../../lib/transfers/get-transfer';
import { updateTransfer } from '../../../../lib/transfers/update-transfer';
import { getRuntime } from '../../../../lib/runtime';
import { transferAnswer, withTransferCaller } from '../_lib/transfer-route';

export const dynamic = 'force-dynamic';

type Params = { params: Promise<{ id: string }> };

export async function GET(request: Request, { params }: Params): Promise<Response> {
  const { id } = await params;
  return withTransferCaller(request, 'view transfer notice', id, async (actor) => transferAnswer(await getTransfer(getRuntime(), actor, id)));
}

export async function PATCH(request: Request, { params }: Params): Promise<Response> {
  const { id } = await params;
  return withTransferCaller(request, 'update transfer notice', id, async (actor, body) => transferAnswer(await updateTransfer(getRuntime(), actor, id, await body())));
}
