// GET /api/patients/:id/other-nodes → 200 {regionPatientId, issuer, nodes: [{peerId, node, status,
//   message, studies: [{studyInstanceUid, studyDate, modalities, description, numberOfInstances,
//   facility: {id, name}, here, arrival}]}]}
//   The federated patient history (lib/federation/history/history-at-nodes.ts): the record's
//   person asked for at every active paired node, 3 s each; a node down is status UNREACHABLE.
//   404 unless the caller is a member of the record's facility.
import { historyAtOtherNodes } from '../../../../../lib/federation/history/history-at-nodes';
import { getRuntime } from '../../../../../lib/runtime';
import { noStore, withSignedInCaller } from '../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return withSignedInCaller(request, 'patient history at other nodes', async (_caller, actor) => noStore(await historyAtOtherNodes(getRuntime(), actor, id)));
}
