// The glue of the reporting routes: the signed-in caller (same-origin for
// changes), the JSON body, one answer for every error (app/_lib/error-response.ts).
import type { Principal } from '../../../../lib/policy/principal';
import { principalOf, requireApiUser } from '../../../_lib/api-session';
import { answerErrors } from '../../../_lib/error-response';

export async function withReportCaller(request: Request, where: string, work: (principal: Principal, body: () => Promise<unknown>) => Promise<Response>): Promise<Response> {
  const caller = await requireApiUser(request);
  if (caller instanceof Response) return caller;
  // A missing or unreadable body reads as {}: the operation's schema then names what is missing
  return answerErrors(where, () => work(principalOf(caller), () => request.json().catch(() => ({}))));
}

export function reportAnswer(body: unknown, status = 200): Response {
  return Response.json(body, { status, headers: { 'cache-control': 'no-store' } });
}
