// PUT /api/account/acting-facility {facilityId} → 200 {facilityId}: the facility
// this session acts for (one of the caller's enabled facilities; else 404).
import { z } from 'zod';
import { parseInput } from '../../../../lib/admin/errors';
import { setActingFacility } from '../../../../lib/facilities/set-acting-facility';
import { getRuntime } from '../../../../lib/runtime';
import { jsonBody, noStore, withSignedInCaller } from '../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

const ZActingFacility = z.object({ facilityId: z.string({ error: 'Choose a facility' }).min(1, 'Choose a facility') }).strict();

export async function PUT(request: Request): Promise<Response> {
  return withSignedInCaller(request, 'choose acting facility', async (caller, actor) => {
    const { facilityId } = parseInput(ZActingFacility, await jsonBody(request));
    await setActingFacility(getRuntime(), { ...actor, sessionId: caller.user.sessionId }, facilityId);
    return noStore({ facilityId });
  });
}
