// GET /api/federation/transfers/{id} → TransferView ("312/500 at Regional hospital (Region node)").
// Who asked for it and the members of its facility; 404 for everyone else.
import { getRuntime } from '../../../../../lib/runtime';
import { getTransferFor } from '../../../../../lib/federation/transfers/transfer-view';
import { noStore, withSignedInCaller } from '../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return withSignedInCaller(request, 'view node transfer', async (_caller, actor) => noStore(await getTransferFor(getRuntime(), actor.userId, id)));
}
