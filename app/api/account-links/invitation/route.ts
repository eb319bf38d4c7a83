// POST /api/account-links/invitation {token, name, password} → 200 {user} + session cookie
import { getRuntime } from '../../../../lib/runtime';
import { acceptInvitation } from '../../../../lib/users/accept-account-link';
import { acceptLinkRoute } from '../accept-link-route';

export const dynamic = 'force-dynamic';

export async function POST(request: Request): Promise<Response> {
  return acceptLinkRoute(request, 'accept invitation', (input, client) => acceptInvitation(getRuntime(), input, client));
}
