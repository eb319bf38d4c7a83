// GET  /api/admin/node/node-admins → {nodeAdmins: [{userId, email, name}]}
// POST /api/admin/node/node-admins {email} → 201 {userId, email, name} (an existing, enabled account)
// Node administrators only; 404 for everyone else.
import { getRuntime } from '../../../../../lib/runtime';
import { grantNodeAdmin, listNodeAdministrators } from '../../../../../lib/users/set-node-admin';
import { jsonBody, noStore, withSignedInCaller } from '../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  return withSignedInCaller(request, 'list node admins', async (_caller, actor) => noStore({ nodeAdmins: await listNodeAdministrators(getRuntime(), actor.userId) }));
}

export async function POST(request: Request): Promise<Response> {
  return withSignedInCaller(request, 'grant node admin', async (_caller, actor) => noStore(await grantNodeAdmin(getRuntime(), actor, await jsonBody(request)), 201));
}
