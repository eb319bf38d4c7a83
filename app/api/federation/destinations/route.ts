// GET /api/federation/destinations → {destinations: [{facilityId, facility, node}]}: the facilities of
// paired nodes a study may be sent to (active pairings only). Any signed-in member of this node.
import { getRuntime } from '../../../../lib/runtime';
import { listDestinations } from '../../../../lib/federation/peers/node-federation-view';
import { noStore, withSignedInCaller } from '../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  return withSignedInCaller(request, 'list node destinations', async (_caller, actor) => noStore({ destinations: await listDestinations(getRuntime(), actor.userId) }));
}
