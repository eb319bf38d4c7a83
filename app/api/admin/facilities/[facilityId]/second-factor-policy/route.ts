// PUT /api/admin/facilities/:facilityId/second-factor-policy {policy: 'NONE' | 'ADMINS' | 'EVERYONE'} → 200 {policy, sessionsSentToEnrolment}
import { disconnectSession } from '../../../../../../lib/realtime/disconnect-user';
import { getRuntime } from '../../../../../../lib/runtime';
import { setSecondFactorPolicy } from '../../../../../../lib/users/set-second-factor-policy';
import { jsonBody, noStore, withSignedInCaller } from '../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function PUT(request: Request, { params }: { params: Promise<{ facilityId: string }> }): Promise<Response> {
  const { facilityId } = await params;
  return withSignedInCaller(request, 'second-factor policy', async (_caller, actor) => {
    const runtime = getRuntime();
    const { heldSessionIds, ...answer } = await setSecondFactorPolicy(runtime, actor, facilityId, await jsonBody(request));
    // A session waiting for enrolment opens nothing: its sockets close now, not when it would have expired
    for (const sessionId of heldSessionIds) await disconnectSession(runtime.io, sessionId);
    return noStore(answer);
  });
}
