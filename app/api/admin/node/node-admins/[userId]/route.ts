// DELETE /api/admin/node/node-admins/:userId → {status: "revoked"}; 403 NOT_ALLOWED for the last one.
import { getRuntime } from '../../../../../../lib/runtime';
import { revokeNodeAdmin } from '../../../../../../lib/users/set-node-admin';
import { noStore, withSignedInCaller } from '../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function DELETE(request: Request, { params }: { params: Promise<{ userId: string }> }): Promise<Response> {
  const { userId } = await params;
  return withSignedInCaller(request, 'revoke node admin', async (_caller, actor) => {
    await revokeNodeAdmin(getRuntime(), actor, userId);
    return noStore({ status: 'revoked' });
  });
}
