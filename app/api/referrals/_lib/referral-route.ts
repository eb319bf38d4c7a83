// The glue of the second-opinion routes: the signed-in caller (same-origin
// for changes), the JSON body, one answer for every error; a case the caller
// takes no part in is answered 404 and recorded for its facility's
// administrators (lib/audit/record-refused-attempt.ts).
import { DomainError } from '../../../../lib/errors';
import type { Principal } from '../../../../lib/policy/principal';
import { principalOf, requireApiUser } from '../../../_lib/api-session';
import { errorResponse } from '../../../_lib/error-response';
import { auditRefusedRequest } from '../../../_lib/refused-attempt';

export async function withReferralCaller(
  request: Request,
  where: string,
  referralId: string | null,
  work: (principal: Principal, body: () => Promise<unknown>) => Promise<Response>,
): Promise<Response> {
  const caller = await requireApiUser(request);
  if (caller instanceof Response) return caller;
  try {
    return await work(principalOf(caller), () => request.json().catch(() => ({})));
  } catch (error) {
    if (referralId && error instanceof DomainError && error.code === 'NOT_FOUND') await auditRefusedRequest(caller, request, 'referral.view', { kind: 'referral', id: referralId.slice(0, 64) });
    return errorResponse(error, where);
  }
}

export function referralAnswer(body: unknown, status = 200): Response {
  return Response.json(body, { status, headers: { 'cache-control': 'no-store' } });
}
