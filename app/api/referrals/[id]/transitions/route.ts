// POST /api/referrals/{id}/transitions {action, …} — moves the case
// (lib/referrals/referral-states.ts): send | claim | decline {reason} | redirect {addressee, reason?} |
// start | ask {message} | answer {message} | close | cancel {reason?} | forward {addressee, reason};
// optional `revision` refuses a move on a case changed since it was read.
// → 200 {id, status, revision}; 409 CONFLICT when the state does not allow it or another
// expert claimed it first (the message says who); 403 for a party the move is not theirs; 404 otherwise.
import { transitionReferral } from '../../../../../lib/referrals/transition-referral';
import { getRuntime } from '../../../../../lib/runtime';
import { referralAnswer, withReferralCaller } from '../../_lib/referral-route';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return withReferralCaller(request, 'referral transition', id, async (principal, body) => referralAnswer(await transitionReferral(getRuntime(), principal, id, await body())));
}
