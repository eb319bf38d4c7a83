// PATCH /api/admin/facilities/:facilityId/members/:userId {role} or {disabled}
import { z } from 'zod';
import { parseInput } from '../../../../../../../lib/admin/errors';
import { getRuntime } from '../../../../../../../lib/runtime';
import { changeMemberRole } from '../../../../../../../lib/users/change-member-role';
import { setMemberDisabled } from '../../../../../../../lib/users/set-member-disabled';
import { disconnectUser } from '../../../../../../../lib/realtime/disconnect-user';
import { jsonBody, noStore, withSignedInCaller } from '../../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

const ZMemberChange = z.union([
  z.object({ role: z.string() }).strict(),
  z.object({ disabled: z.boolean({ error: 'disabled: true or false' }) }).strict(),
], { error: 'Send either {"role": ...} or {"disabled": true|false}' });

export async function PATCH(request: Request, { params }: { params: Promise<{ facilityId: string; userId: string }> }): Promise<Response> {
  const { facilityId, userId } = await params;
  return withSignedInCaller(request, 'change member', async (_caller, actor) => {
    const change = parseInput(ZMemberChange, await jsonBody(request));
    if ('role' in change) {
      await changeMemberRole(getRuntime(), actor, facilityId, userId, change.role);
      return noStore({ status: 'updated' });
    }
    const { sessionsEnded } = await setMemberDisabled(getRuntime(), actor, facilityId, userId, change.disabled);
    // Signed out everywhere means live connections too (a teleconsultation, the worklist's arrivals)
    if (change.disabled) await disconnectUser(getRuntime().io, userId);
    return noStore({ status: change.disabled ? 'disabled' : 'enabled', sessionsEnded });
  });
}
