// GET  /api/admin/facilities/:facilityId/dicom-peers → {peers} (DICOM_PEERS ones with source "configuration")
// POST /api/admin/facilities/:facilityId/dicom-peers {aet, host, port, description?} → 201 {peer}
import { saveDicomPeer } from '../../../../../../lib/dicom-peers/save-dicom-peer';
import { viewDicomPeers } from '../../../../../../lib/dicom-peers/view-dicom-peers';
import { getRuntime } from '../../../../../../lib/runtime';
import { jsonBody, noStore, withSignedInCaller } from '../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

type Params = { params: Promise<{ facilityId: string }> };

export async function GET(request: Request, { params }: Params): Promise<Response> {
  const { facilityId } = await params;
  return withSignedInCaller(request, 'list DICOM peers', async (_caller, actor) => noStore({ peers: await viewDicomPeers(getRuntime(), actor, facilityId) }));
}

export async function POST(request: Request, { params }: Params): Promise<Response> {
  const { facilityId } = await params;
  return withSignedInCaller(request, 'create DICOM peer', async (_caller, actor) =>
    noStore({ peer: await saveDicomPeer(getRuntime(), actor, facilityId, undefined, await jsonBody(request)) }, 201),
  );
}
