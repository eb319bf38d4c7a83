// GET /api/admin/node/federation → {node: {nodeId, name, url, fingerprint, kid, software}, peers: [PeerView]}
// Node administrators only; 404 for everyone else.
import { getRuntime } from '../../../../../lib/runtime';
import { nodeFederationView } from '../../../../../lib/federation/peers/node-federation-view';
import { noStore, withSignedInCaller } from '../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  return withSignedInCaller(request, 'list node peers', async (_caller, actor) => noStore(await nodeFederationView(getRuntime(), actor.userId)));
}
