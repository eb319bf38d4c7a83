// DELETE /api/account/api-tokens/:tokenId → 204 (revoked), 404 when it is not the caller's active token
import { revokeOwnApiToken } from '../../../../../lib/auth/manage-own-api-tokens';
import { getRuntime } from '../../../../../lib/runtime';
import { withSignedInCaller } from '../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function DELETE(request: Request, { params }: { params: Promise<{ tokenId: string }> }): Promise<Response> {
  const { tokenId } = await params;
  return withSignedInCaller(request, 'revoke API token', async (_caller, actor) => {
    await revokeOwnApiToken(getRuntime(), actor, tokenId);
    return new Response(null, { status: 204 });
  });
}
