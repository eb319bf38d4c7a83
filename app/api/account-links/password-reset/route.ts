// POST /api/account-links/password-reset {token, password} → 200 {user} + session cookie
import { disconnectUser } from '../../../../lib/realtime/disconnect-user';
import { getRuntime } from '../../../../lib/runtime';
import { resetPasswordWithLink } from '../../../../lib/users/accept-account-link';
import { acceptLinkRoute } from '../accept-link-route';

export const dynamic = 'force-dynamic';

export async function POST(request: Request): Promise<Response> {
  return acceptLinkRoute(request, 'reset password', async (input, client) => {
    const runtime = getRuntime();
    const accepted = await resetPasswordWithLink(runtime, input, client);
    // The reset ended every other session of the account: their sockets go too
    // (the new session has none yet).
    await disconnectUser(runtime.io, accepted.user.id);
    return accepted;
  });
}
