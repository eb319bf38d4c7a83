// GET    /api/account/second-factor → {enabledAt, recoveryCodesLeft, required}
// DELETE /api/account/second-factor {password, code} → 200 {mustEnrolAgain}
import { disableOwnSecondFactor, secondFactorStatus } from '../../../../lib/auth/second-factor/enrolment';
import { getRuntime } from '../../../../lib/runtime';
import { jsonBody, noStore, withSignedInCaller } from '../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  return withSignedInCaller(request, 'second-factor status', async (_caller, actor) => noStore(await secondFactorStatus(getRuntime(), actor.userId)));
}

export async function DELETE(request: Request): Promise<Response> {
  return withSignedInCaller(request, 'turn off second factor', async (_caller, actor) => {
    const body = (await jsonBody(request)) as { password?: unknown; code?: unknown };
    const person = { id: actor.userId, email: actor.email };
    return noStore(await disableOwnSecondFactor(getRuntime(), person, { password: String(body.password ?? ''), code: String(body.code ?? '') }, actor));
  });
}
