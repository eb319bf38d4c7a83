// GET /api/facilities/:facilityId/logo → the image (image/png or image/jpeg),
// for the facility's members and node administrators; 404 for everyone else and when it has none.
import { readFacilityLogo } from '../../../../../lib/facilities/facility-logo';
import { getRuntime } from '../../../../../lib/runtime';
import { withSignedInCaller } from '../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ facilityId: string }> }): Promise<Response> {
  const { facilityId } = await params;
  return withSignedInCaller(request, 'read facility logo', async (_caller, actor) => {
    const logo = await readFacilityLogo(getRuntime(), actor.userId, facilityId);
    return new Response(Buffer.from(logo.bytes), {
      headers: { 'content-type': logo.mimeType, 'cache-control': 'private, no-cache', 'last-modified': logo.updatedAt.toUTCString(), 'x-content-type-options': 'nosniff' },
    });
  });
}
