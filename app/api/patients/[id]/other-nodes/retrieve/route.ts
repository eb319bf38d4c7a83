// POST /api/patients/:id/other-nodes/retrieve {peerId, studyInstanceUid} → 202 {node, facility,
//   studyInstanceUid, total}: asks the node holding the study to send it to the record's
//   facility (lib/federation/history/request-retrieve.ts); the arrival then shows in
//   GET /api/patients/:id/other-nodes (arrival) and /api/federation/transfers?study=UID.
//   409 when the patient's consent at the holding node does not cover it; 502 when the node
//   cannot be reached or refuses; 400 with fields; 404 unless a member of the record's facility.
import { retrieveFromNode } from '../../../../../../lib/federation/history/request-retrieve';
import { getRuntime } from '../../../../../../lib/runtime';
import { jsonBody, noStore, withSignedInCaller } from '../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return withSignedInCaller(request, 'retrieve from another node', async (_caller, actor) => noStore(await retrieveFromNode(getRuntime(), actor, id, await jsonBody(request)), 202));
}
