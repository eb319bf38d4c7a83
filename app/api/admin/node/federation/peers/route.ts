// POST /api/admin/node/federation/peers {code} → 201 PeerView: pairs with the node that made the code.
// 400 (fields.code) for a code that is not one; 409 when the node at the code's URL presents another
// key fingerprint; 502 when it cannot be reached or refuses the code. Node administrators only.
import { getRuntime } from '../../../../../../lib/runtime';
import { acceptPairingCode } from '../../../../../../lib/federation/pairing/pair-nodes';
import { jsonBody, noStore, withSignedInCaller } from '../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function POST(request: Request): Promise<Response> {
  return withSignedInCaller(request, 'pair with node', async (_caller, actor) => noStore(await acceptPairingCode(getRuntime(), actor, await jsonBody(request)), 201));
}
