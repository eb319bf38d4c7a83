// POST /api/transfers/{id}/messages {body} → 201 {id}: Ask, the thread between the two teams (not on a cancelled notice).
import { postTransferMessage } from '../../../../../lib/transfers/transfer-messages';
import { getRuntime } from '../../../../../lib/runtime';
import { transferAnswer, withTransferCaller } from '../../_lib/transfer-route';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return withTransferCaller(request, 'post transfer message', id, async (actor, body) => transferAnswer(await postTransferMessage(getRuntime(), actor, id, await body()), 201));
}
