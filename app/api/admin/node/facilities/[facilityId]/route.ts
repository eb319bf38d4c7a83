// PATCH /api/admin/node/facilities/:facilityId {name?, address?, phone?, reportLanguage?} → {status: "updated"}
//                                           or {disabled: true|false} → {status: "disabled"|"enabled"|"unchanged"}
// Node administrators only; 404 for everyone else.
import { z } from 'zod';
import { parseInput } from '../../../../../../lib/admin/errors';
import { setFacilityDisabled } from '../../../../../../lib/facilities/set-facility-disabled';
import { updateFacility } from '../../../../../../lib/facilities/update-facility';
import { leaveFacilityRoom } from '../../../../../../lib/realtime/leave-facility-room';
import { getRuntime } from '../../../../../../lib/runtime';
import { jsonBody, noStore, withSignedInCaller } from '../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

const ZDisable = z.object({ disabled: z.boolean({ error: 'disabled: true or false' }) }).strict();

export async function PATCH(request: Request, { params }: { params: Promise<{ facilityId: string }> }): Promise<Response> {
  const { facilityId } = await params;
  return withSignedInCaller(request, 'change facility', async (_caller, actor) => {
    const body = await jsonBody(request);
    if (typeof body === 'object' && body !== null && 'disabled' in body) {
      const { disabled } = parseInput(ZDisable, body);
      const { changed } = await setFacilityDisabled(getRuntime(), actor, facilityId, disabled);
      if (changed && disabled) leaveFacilityRoom(getRuntime().io, facilityId);
      return noStore({ status: changed ? (disabled ? 'disabled' : 'enabled') : 'unchanged' });
    }
    await updateFacility(getRuntime(), actor, facilityId, body);
    return noStore({ status: 'updated' });
  });
}
