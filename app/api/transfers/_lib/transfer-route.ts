// The glue of the transfer-notice routes: the signed-in caller (same-origin for changes),
// the JSON body, one answer for every error; a notice the caller takes no part in is
// answered 404 and recorded for the sending facility's administrators (a 404 of a caller who
// takes part is about something else: not recorded as an attempt at the notice).
import { DomainError } from '../../../../lib/errors';
import type { TransferActor } from '../../../../lib/transfers/send-transfer';
import { takesPartInTransfer } from '../../../../lib/transfers/load-transfer';
import { getRuntime } from '../../../../lib/runtime';
import { principalOf, requireApiUser } from '../../../_lib/api-session';
import { errorResponse } from '../../../_lib/error-response';
import { auditRefusedRequest } from '../../../_lib/refused-attempt';

export async function withTransferCaller(request: Request, where: string, noticeId: string | null, work: (actor: TransferActor, body: () => Promise<unknown>) => Promise<Response>): Promise<Response> {
  const caller = await requireApiUser(request);
  if (caller instanceof Response) return caller;
  try {
    return await work({ ...principalOf(caller), actingFacilityId: caller.user.actingFacilityId }, () => request.json().catch(() => ({})));
  } catch (error) {
    if (noticeId && error instanceof DomainError && error.code === 'NOT_FOUND' && !(await takesPartInTransfer(getRuntime(), caller.user.id, noticeId.slice(0, 64)))) {
      await auditRefusedRequest(caller, request, 'transfer.view', { kind: 'transfer', id: noticeId.slice(0, 64) });
    }
    return errorResponse(error, where);
  }
}

export function transferAnswer(body: unknown, status = 200): Response {
  return Response.json(body, { status, headers: { 'cache-control': 'no-store' } });
}
