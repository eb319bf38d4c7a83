// POST /api/emergency-overrides/{id}/end → {id, endedAt, grantsEnded, socketsClosed}: ends emergency access now
// (its clinician, or a privacy officer / admin of a facility it concerns); again: nothing more is ended.
// 404 NOT_FOUND for anyone else.
import { principalOf, requireApiUser } from '../../../../_lib/api-session';
import { answerErrors } from '../../../../_lib/error-response';
import { endOverride } from '../../../../../lib/emergency-override/end-override';
import { getRuntime } from '../../../../../lib/runtime';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return answerErrors('end emergency override', async () => {
    const caller = await requireApiUser(request);
    if (caller instanceof Response) return caller;
    const ended = await endOverride(getRuntime(), principalOf(caller), id);
    return Response.json({ ...ended, endedAt: ended.endedAt?.toISOString() ?? null }, { headers: { 'cache-control': 'no-store' } });
  });
}
