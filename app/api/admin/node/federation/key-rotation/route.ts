// POST /api/admin/node/federation/key-rotation → {kid, fingerprint, peersTold}
// A new node key signs from now on; the previous one verifies for 7 more days while every
// paired node is told (signed with the previous key). Node administrators only.
import { getRuntime } from '../../../../../../lib/runtime';
import { rotateKey } from '../../../../../../lib/federation/peers/rotate-key';
import { noStore, withSignedInCaller } from '../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function POST(request: Request): Promise<Response> {
  return withSignedInCaller(request, 'rotate node key', async (_caller, actor) => noStore(await rotateKey(getRuntime(), actor)));
}
