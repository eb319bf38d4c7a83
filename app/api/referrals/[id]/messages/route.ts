// POST /api/referrals/{id}/messages {body} — a message on the case's thread → 201 {id}.
import { postReferralMessage } from '../../../../../lib/referrals/post-message';
import { getRuntime } from '../../../../../lib/runtime';
import { referralAnswer, withReferralCaller } from '../../_lib/referral-route';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return withReferralCaller(request, 'referral message', id, async (principal, body) => referralAnswer(await postReferralMessage(getRuntime(), principal, id, await body()), 201));
}
