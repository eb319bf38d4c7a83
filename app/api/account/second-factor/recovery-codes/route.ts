// POST /api/account/second-factor/recovery-codes {code} → 200 {recoveryCodes} (new ones, shown once; the old ones stop working)
import { replaceRecoveryCodes } from '../../../../../lib/auth/second-factor/enrolment';
import { getRuntime } from '../../../../../lib/runtime';
import { jsonBody, noStore, withSignedInCaller } from '../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function POST(request: Request): Promise<Response> {
  return withSignedInCaller(request, 'new recovery codes', async (_caller, actor) => {
    const body = (await jsonBody(request)) as { code?: unknown };
    return noStore(await replaceRecoveryCodes(getRuntime(), { id: actor.userId, email: actor.email }, String(body.code ?? ''), actor));
  });
}
