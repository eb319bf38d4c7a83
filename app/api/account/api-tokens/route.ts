// GET  /api/account/api-tokens → {tokens} (the caller's own; no secrets)
// POST /api/account/api-tokens {name, expiresInDays?} → 201 {token: {id, name, prefix, token, expiresAt}} — the secret, once
import { listApiTokens } from '../../../../lib/auth/list-api-tokens';
import { createOwnApiToken } from '../../../../lib/auth/manage-own-api-tokens';
import { getRuntime } from '../../../../lib/runtime';
import { jsonBody, noStore, withSignedInCaller } from '../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  return withSignedInCaller(request, 'list API tokens', async (_caller, actor) => noStore({ tokens: await listApiTokens(getRuntime(), actor) }));
}

export async function POST(request: Request): Promise<Response> {
  return withSignedInCaller(request, 'create API token', async (_caller, actor) => {
    const created = await createOwnApiToken(getRuntime(), actor, await jsonBody(request));
    return noStore({ token: { ...created, expiresAt: created.expiresAt?.toISOString() ?? null } }, 201);
  });
}
