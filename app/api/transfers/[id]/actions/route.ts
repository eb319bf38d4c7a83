// POST /api/transfers/{id}/actions {action: acknowledge} | {action: accept, note?} | {action: redirect, serviceId, reason}
//   | {action: arrive, note?} | {action: cancel, reason?} → {id, status}.
//   403 FORBIDDEN for the wrong side (only the receiving team acknowledges, accepts, redirects, records the arrival;
//   only the sending team cancels); 409 CONFLICT when another click came first (the message says who did what).
import { actOnTransfer } from '../../../../../lib/transfers/act-on-transfer';
import { getRuntime } from '../../../../../lib/runtime';
import { transferAnswer, withTransferCaller } from '../../_lib/transfer-route';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return withTransferCaller(request, 'act on transfer notice', id, async (actor, body) => transferAnswer(await actOnTransfer(getRuntime(), actor, id, await body())));
}
