// POST /api/admin/facilities/:facilityId/invitations {email, role} → 201 {path, url, expiresAt}
// The link is shown once to the admin; only its hash is kept.
import { getRuntime } from '../../../../../../lib/runtime';
import { inviteMember } from '../../../../../../lib/users/invite-member';
import { absoluteLink, jsonBody, noStore, withSignedInCaller } from '../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, { params }: { params: Promise<{ facilityId: string }> }): Promise<Response> {
  const { facilityId } = await params;
  return withSignedInCaller(request, 'invite member', async (_caller, actor) => {
    const link = await inviteMember(getRuntime(), actor, facilityId, await jsonBody(request));
    return noStore({ path: link.path, url: absoluteLink(link.path), expiresAt: link.expiresAt.toISOString() }, 201);
  });
}
