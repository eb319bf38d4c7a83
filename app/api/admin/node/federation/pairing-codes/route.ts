// POST /api/admin/node/federation/pairing-codes → 201 {code, expiresAt, node: {nodeId, name, url, fingerprint}}
// A one-time pairing code (24 h) for the other node's administrator. Node administrators only.
import { getRuntime } from '../../../../../../lib/runtime';
import { createPairingCode } from '../../../../../../lib/federation/pairing/pair-nodes';
import { noStore, withSignedInCaller } from '../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function POST(request: Request): Promise<Response> {
  return withSignedInCaller(request, 'make pairing code', async (_caller, actor) => noStore(await createPairingCode(getRuntime(), actor), 201));
}
