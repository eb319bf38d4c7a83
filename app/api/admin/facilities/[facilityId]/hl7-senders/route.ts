// GET  /api/admin/facilities/:facilityId/hl7-senders → {senders} (HL7_SENDERS ones with source "configuration", id null)
// POST /api/admin/facilities/:facilityId/hl7-senders {application, sendingFacility, description?} → 201 {sender}
// 404 unless the caller administers the facility; 409 when the pair is registered anywhere on the node.
import { createHl7Sender } from '../../../../../../lib/hl7/senders/create-hl7-sender';
import { listHl7Senders } from '../../../../../../lib/hl7/senders/list-hl7-senders';
import { getRuntime } from '../../../../../../lib/runtime';
import { jsonBody, noStore, withSignedInCaller } from '../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

type Params = { params: Promise<{ facilityId: string }> };

export async function GET(request: Request, { params }: Params): Promise<Response> {
  const { facilityId } = await params;
  return withSignedInCaller(request, 'list HL7 senders', async (_caller, actor) => noStore({ senders: await listHl7Senders(getRuntime(), actor, facilityId) }));
}

export async function POST(request: Request, { params }: Params): Promise<Response> {
  const { facilityId } = await params;
  return withSignedInCaller(request, 'create HL7 sender', async (_caller, actor) =>
    noStore({ sender: await createHl7Sender(getRuntime(), actor, facilityId, await jsonBody(request)) }, 201),
  );
}
