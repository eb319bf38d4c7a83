// POST /api/account/password {currentPassword, newPassword, confirmation} → 200 {sessionsEnded}
// The signed-in user's own password (lib/auth/change-own-password.ts); this
// browser stays signed in, every other session of the account ends.
import { changeOwnPassword } from '../../../../lib/auth/change-own-password';
import { getRuntime } from '../../../../lib/runtime';
import { jsonBody, noStore, withSignedInCaller } from '../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function POST(request: Request): Promise<Response> {
  return withSignedInCaller(request, 'change own password', async (caller, actor) =>
    noStore(await changeOwnPassword(getRuntime(), { userId: actor.userId, sessionId: caller.user.sessionId, ip: actor.ip }, await jsonBody(request))),
  );
}
