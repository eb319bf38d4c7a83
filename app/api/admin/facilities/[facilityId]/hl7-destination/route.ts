// GET    /api/admin/facilities/{facilityId}/hl7-destination → {destination: {host, port, receivingApplication,
//        receivingFacility, enabled, updatedAt} | null}
// PUT    … {host, port, receivingApplication?, receivingFacility?, enabled?} → {destination}; 400 with fields
// DELETE … → 204 (404 when there is none)
// Where the facility's signed reports go as ORU^R01 (lib/hl7/destination). 404 for all but its administrators.
import { getHl7Destination } from '../../../../../../lib/hl7/destination/get-hl7-destination';
import { removeHl7Destination } from '../../../../../../lib/hl7/destination/remove-hl7-destination';
import { setHl7Destination } from '../../../../../../lib/hl7/destination/set-hl7-destination';
import { getRuntime } from '../../../../../../lib/runtime';
import { jsonBody, noStore, withSignedInCaller } from '../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

type Params = { params: Promise<{ facilityId: string }> };

export async function GET(request: Request, { params }: Params): Promise<Response> {
  const { facilityId } = await params;
  return withSignedInCaller(request, 'read HL7 destination', async (_caller, actor) => noStore(await getHl7Destination(getRuntime(), actor, facilityId)));
}

export async function PUT(request: Request, { params }: Params): Promise<Response> {
  const { facilityId } = await params;
  return withSignedInCaller(request, 'set HL7 destination', async (_caller, actor) => noStore(await setHl7Destination(getRuntime(), actor, facilityId, await jsonBody(request))));
}

export async function DELETE(request: Request, { params }: Params): Promise<Response> {
  const { facilityId } = await params;
  return withSignedInCaller(request, 'remove HL7 destination', async (_caller, actor) => {
    await removeHl7Destination(getRuntime(), actor, facilityId);
    return new Response(null, { status: 204 });
  });
}
