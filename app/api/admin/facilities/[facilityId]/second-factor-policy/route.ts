// PUT /api/admin/facilities/:facilityId/second-factor-policy {policy: 'NONE' | 'ADMINS' | 'EVERYONE'} → 200 {policy, sessionsSentToEnrolment}
import { getRuntime } from '../../../../../../lib/runtime';
import { setSecondFactorPolicy } from '../../../../../../lib/users/set-second-factor-policy';
import { jsonBody, noStore, withSignedInCaller } from '../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function PUT(request: Request, { params }: { params: Promise<{ facilityId: string }> }): Promise<Response> {
  const { facilityId } = await params;
  return withSignedInCaller(request, 'second-factor policy', async (_caller, actor) =>
    noStore(await setSecondFactorPolicy(getRuntime(), actor, facilityId, await jsonBody(request))),
  );
}
