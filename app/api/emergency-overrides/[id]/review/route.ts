// POST /api/emergency-overrides/{id}/review {status: JUSTIFIED|NOT_JUSTIFIED, comment} → {id, reviewStatus, reviewedAt}.
// 400 INVALID_INPUT (fields.comment: required for NOT_JUSTIFIED), 403 FORBIDDEN (its own clinician), 404 NOT_FOUND (anyone
// who is not a privacy officer or admin of a facility it concerns).
import { principalOf, requireApiUser } from '../../../../_lib/api-session';
import { answerErrors } from '../../../../_lib/error-response';
import { reviewOverride } from '../../../../../lib/emergency-override/review-override';
import { getRuntime } from '../../../../../lib/runtime';
import { readJsonBody } from '../../_lib/read-json-body';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return answerErrors('review emergency override', async () => {
    const caller = await requireApiUser(request);
    if (caller instanceof Response) return caller;
    const reviewed = await reviewOverride(getRuntime(), principalOf(caller), id, await readJsonBody(request));
    return Response.json({ ...reviewed, reviewedAt: reviewed.reviewedAt.toISOString() }, { headers: { 'cache-control': 'no-store' } });
  });
}
