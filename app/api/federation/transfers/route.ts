// POST /api/federation/transfers {studyInstanceUid, facilityId, seriesUids?, priority?} → 201 TransferView
//   Sends a study of the caller's acting facility to a facility of a paired node (a durable job:
//   resumable, verified, retried). 409 CONSENT_REQUIRED when the patient's consent does not
//   cover it (nothing is sent); 404 for a study not of the acting facility; 400 with fields.
// GET /api/federation/transfers?study=UID → {transfers: [TransferView]} of the caller's facilities.
import { getRuntime } from '../../../../lib/runtime';
import { sendStudyToNode } from '../../../../lib/federation/transfers/send-study';
import { listTransfersFor } from '../../../../lib/federation/transfers/transfer-view';
import { jsonBody, noStore, withSignedInCaller } from '../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function POST(request: Request): Promise<Response> {
  return withSignedInCaller(request, 'send study to node', async (caller, actor) => {
    const { studyInstanceUid, ...rest } = ((await jsonBody(request)) ?? {}) as { studyInstanceUid?: unknown };
    const uid = typeof studyInstanceUid === 'string' ? studyInstanceUid : '';
    return noStore(await sendStudyToNode(getRuntime(), { ...actor, actingFacilityId: caller.user.actingFacilityId }, uid, rest), 201);
  });
}

export async function GET(request: Request): Promise<Response> {
  return withSignedInCaller(request, 'list node transfers', async (_caller, actor) => {
    const study = new URL(request.url).searchParams.get('study') ?? undefined;
    return noStore({ transfers: await listTransfersFor(getRuntime(), actor.userId, { studyInstanceUid: study }) });
  });
}
