// GET  /api/admin/node/facilities → {facilities: FacilitySummary[]}
// POST /api/admin/node/facilities {code, name, address?, phone?} → 201 {id, code}
// Node administrators only; 404 for everyone else.
import { createFacility } from '../../../../../lib/facilities/create-facility';
import { listFacilities } from '../../../../../lib/facilities/list-facilities';
import { getRuntime } from '../../../../../lib/runtime';
import { jsonBody, noStore, withSignedInCaller } from '../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  return withSignedInCaller(request, 'list facilities', async (_caller, actor) => noStore({ facilities: await listFacilities(getRuntime(), actor.userId) }));
}

export async function POST(request: Request): Promise<Response> {
  return withSignedInCaller(request, 'create facility', async (_caller, actor) => noStore(await createFacility(getRuntime(), actor, await jsonBody(request)), 201));
}
