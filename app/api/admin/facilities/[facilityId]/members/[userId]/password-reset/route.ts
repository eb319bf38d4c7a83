// POST /api/admin/facilities/:facilityId/members/:userId/password-reset → 201 {path, url, expiresAt}
import { getRuntime } from '../../../../../../../../lib/runtime';
import { createPasswordReset } from '../../../../../../../../lib/users/create-password-reset';
import { absoluteLink, noStore, withSignedInCaller } from '../../../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, { params }: { params: Promise<{ facilityId: string; userId: string }> }): Promise<Response> {
  const { facilityId, userId } = await params;
  return withSignedInCaller(request, 'password reset', async (_caller, actor) => {
    const link = await createPasswordReset(getRuntime(), actor, facilityId, userId);
    return noStore({ path: link.path, url: absoluteLink(link.path), expiresAt: link.expiresAt.toISOString() }, 201);
  });
}
