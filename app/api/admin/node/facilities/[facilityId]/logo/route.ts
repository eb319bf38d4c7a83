// PUT /api/admin/node/facilities/:facilityId/logo, body: the PNG or JPEG image itself
// (at most 512 KiB; the type is read from the bytes) → {status: "saved"}
// Node administrators only; 404 for everyone else. Members read it at /api/facilities/:facilityId/logo.
import { MAX_LOGO_BYTES, setFacilityLogo } from '../../../../../../../lib/facilities/facility-logo';
import { AdminError } from '../../../../../../../lib/admin/errors';
import { getRuntime } from '../../../../../../../lib/runtime';
import { noStore, withSignedInCaller } from '../../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function PUT(request: Request, { params }: { params: Promise<{ facilityId: string }> }): Promise<Response> {
  const { facilityId } = await params;
  return withSignedInCaller(request, 'set facility logo', async (_caller, actor) => {
    // Refuse an oversized body before reading it all
    if (Number(request.headers.get('content-length') ?? 0) > MAX_LOGO_BYTES) {
      throw new AdminError('INVALID_INPUT', 'Some fields need attention.', { logo: 'The logo must be at most 512 KiB' });
    }
    await setFacilityLogo(getRuntime(), actor, facilityId, new Uint8Array(await request.arrayBuffer()));
    return noStore({ status: 'saved' });
  });
}
