// POST /api/admin/node/federation/peers/{peerId} {action: suspend | resume | unpair} → PeerView
// At once: the peer's requests are refused from now on (401), and it is told. 409 to resume a
// pairing the other node suspended, or to act on an unpaired one. Node administrators only.
import { getRuntime } from '../../../../../../../lib/runtime';
import { setPeerStatus } from '../../../../../../../lib/federation/peers/set-peer-status';
import { jsonBody, noStore, withSignedInCaller } from '../../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, { params }: { params: Promise<{ peerId: string }> }): Promise<Response> {
  const { peerId } = await params;
  return withSignedInCaller(request, 'change node peer', async (_caller, actor) => noStore(await setPeerStatus(getRuntime(), actor, peerId, ((await jsonBody(request)) as { action?: unknown }).action)));
}
