// The glue of the transfer-notice routes: the signed-in caller (same-origin for changes),
// the JSON body, one answer for every error; a notice the caller takes no part in is
// answered 404 and recorded for the sending facility's administrators.
import { DomainError } from '../../../../lib/errors';
import type { TransferActor } from '../../../../lib/transfers/send-transfer';
import { transferSidesOf } from '../../../../lib/policy/transfer-access';
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
    if (noticeId && error instanceof DomainError && error.code === 'NOT_FOUND' && !(await takesPart(caller.user.id, noticeId))) {
      await auditRefusedRequest(caller, request, 'transfer.view', { kind: 'transfer', id: noticeId.slice(0, 64) });
    }
    return errorResponse(error, where);
  }
}

/**
 * Whether the caller takes part in the notice: then a NOT_FOUND is about something else (a
 * study the sending facility does not hold, a service not theirs), not a refused attempt at
 * the notice to report to the sending facility.
 */
async function takesPart(userId: string, noticeId: string): Promise<boolean> {
  const { db } = getRuntime();
  const notice = await db.transferNotice.findUnique({ where: { id: noticeId.slice(0, 64) }, select: { senderId: true, sendingFacilityId: true, targetServiceId: true, targetFacilityId: true } }).catch(() => null);
  return notice ? (await transferSidesOf(db, userId, notice)).length > 0 : false;
}

export function transferAnswer(body: unknown, status = 200): Response {
  return Response.json(body, { status, headers: { 'cache-control': 'no-store' } });
}
