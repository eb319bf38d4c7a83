// POST /api/auth/sign-out — ends the session. JSON callers get 200; the
// portal's sign-out button (a plain form) is sent back to the sign-in page.
import { clearedSessionCookieHeader, signOut } from '../../../../lib/auth';
import { disconnectSession } from '../../../../lib/realtime/disconnect-user';
import { getRuntime } from '../../../../lib/runtime';
import { requireApiUser } from '../../../_lib/api-session';
import { answerErrors } from '../../../_lib/error-response';

export const dynamic = 'force-dynamic';

// Unexpected failures answer the one way (app/_lib/error-response.ts)
export const POST = (request: Request): Promise<Response> => answerErrors('sign out', () => signOutCaller(request));

async function signOutCaller(request: Request): Promise<Response> {
  const caller = await requireApiUser(request);
  if (caller instanceof Response) return caller;
  const runtime = getRuntime();
  await signOut(runtime, { sessionToken: caller.sessionToken, ip: caller.client.ip });
  // This browser's open sockets (/realtime, /consult) end with its session, at once
  await disconnectSession(runtime.io, caller.user.sessionId);
  const cookie = clearedSessionCookieHeader({ secure: caller.client.secure });
  const isForm = (request.headers.get('content-type') ?? '').includes('application/x-www-form-urlencoded');
  if (isForm) return new Response(null, { status: 303, headers: { location: '/sign-in?signedOut=1', 'set-cookie': cookie } });
  return Response.json({ status: 'signed-out' }, { headers: { 'set-cookie': cookie, 'cache-control': 'no-store' } });
}
