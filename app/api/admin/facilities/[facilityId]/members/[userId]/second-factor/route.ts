// DELETE /api/admin/facilities/:facilityId/members/:userId/second-factor → 200 {hadSecondFactor, sessionsEnded}
import { disconnectUser } from '../../../../../../../../lib/realtime/disconnect-user';
import { getRuntime } from '../../../../../../../../lib/runtime';
import { resetMemberSecondFactor } from '../../../../../../../../lib/users/reset-member-second-factor';
import { noStore, withSignedInCaller } from '../../../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function DELETE(request: Request, { params }: { params: Promise<{ facilityId: string; userId: string }> }): Promise<Response> {
  const { facilityId, userId } = await params;
  return withSignedInCaller(request, 'reset second factor', async (_caller, actor) => {
    const runtime = getRuntime();
    const result = await resetMemberSecondFactor(runtime, actor, facilityId, userId);
    // Their sessions are gone: so are the sockets those sessions opened (as when an account is disabled)
    await disconnectUser(runtime.io, userId);
    return noStore(result);
  });
}
