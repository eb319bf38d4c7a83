// POST /api/consents/{id}/revoke {reason, status?: 'inactive' (default: the patient revoked) |
// 'entered-in-error'} → 200 {id, status, grantsEnded, socketsClosed}: the grants resting on it end at
// once and their open sockets close. 409 when it was revoked already; 400 without a reason;
// 404 unless the caller is a member of the facility that recorded it.
import { DomainError } from '../../../../../lib/errors';
import { revokeConsent } from '../../../../../lib/consent/revoke-consent';
import { getRuntime } from '../../../../../lib/runtime';
import { principalOf, requireApiUser } from '../../../../_lib/api-session';
import { errorResponse } from '../../../../_lib/error-response';
import { auditRefusedRequest } from '../../../../_lib/refused-attempt';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  const caller = await requireApiUser(request);
  if (caller instanceof Response) return caller;
  try {
    const body: unknown = await request.json().catch(() => ({}));
    return Response.json(await revokeConsent(getRuntime(), principalOf(caller), id, body), { headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    if (error instanceof DomainError && error.code === 'NOT_FOUND') await auditRefusedRequest(caller, request, 'consent.revoke', { kind: 'consent', id: id.slice(0, 64) });
    return errorResponse(error, 'revoke consent');
  }
}
