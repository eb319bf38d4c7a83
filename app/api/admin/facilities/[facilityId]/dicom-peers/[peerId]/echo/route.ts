// POST /api/admin/facilities/:facilityId/dicom-peers/:peerId/echo → {ok, outcome, message, echoMs?, aet, host, port}
// (outcome: success | association-rejected | echo-failed | no-dicom-answer; never why no DICOM answer came)
// :peerId is a registered peer's id, or "config:<AET>" for a DICOM_PEERS one.
// 200 either way: a failed echo is a result to show, not a failed request.
import { echoDicomPeer } from '../../../../../../../../lib/dicom-peers/echo-dicom-peer';
import { getRuntime } from '../../../../../../../../lib/runtime';
import { noStore, withSignedInCaller } from '../../../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, { params }: { params: Promise<{ facilityId: string; peerId: string }> }): Promise<Response> {
  const { facilityId, peerId } = await params;
  const key = decodeURIComponent(peerId);
  return withSignedInCaller(request, 'echo DICOM peer', async (_caller, actor) =>
    noStore(await echoDicomPeer(getRuntime(), actor, facilityId, key.startsWith('config:') ? { aet: key.slice('config:'.length) } : { id: key })),
  );
}
