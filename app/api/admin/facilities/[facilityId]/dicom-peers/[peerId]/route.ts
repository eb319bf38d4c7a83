// PUT    /api/admin/facilities/:facilityId/dicom-peers/:peerId {aet, host, port, description?} → {peer}
// DELETE /api/admin/facilities/:facilityId/dicom-peers/:peerId → 204
import { deleteDicomPeer, saveDicomPeer } from '../../../../../../../lib/dicom-peers/save-dicom-peer';
import { getRuntime } from '../../../../../../../lib/runtime';
import { jsonBody, noStore, withSignedInCaller } from '../../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

type Params = { params: Promise<{ facilityId: string; peerId: string }> };

export async function PUT(request: Request, { params }: Params): Promise<Response> {
  const { facilityId, peerId } = await params;
  return withSignedInCaller(request, 'update DICOM peer', async (_caller, actor) =>
    noStore({ peer: await saveDicomPeer(getRuntime(), actor, facilityId, peerId, await jsonBody(request)) }),
  );
}

export async function DELETE(request: Request, { params }: Params): Promise<Response> {
  const { facilityId, peerId } = await params;
  return withSignedInCaller(request, 'delete DICOM peer', async (_caller, actor) => {
    await deleteDicomPeer(getRuntime(), actor, facilityId, peerId);
    return new Response(null, { status: 204 });
  });
}
