// POST /api/account-links/password-reset {token, password} → 200 {user} + session cookie
import { getRuntime } from '../../../../lib/runtime';
import { resetPasswordWithLink } from '../../../../lib/users/accept-account-link';
import { acceptLinkRoute } from '../accept-link-route';

export const dynamic = 'force-dynamic';

export async function POST(request: Request): Promise<Response> {
  return acceptLinkRoute(request, 'reset password', (input, client) => resetPasswordWithLink(getRuntime(), input, client));
}
