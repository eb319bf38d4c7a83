// GET /api/referrals/counts — the header's counts: {inbox, unclaimed, stat, myReferralsNeedingMe}.
import { referralCounts } from '../../../../lib/referrals/list-referrals';
import { getRuntime } from '../../../../lib/runtime';
import { referralAnswer, withReferralCaller } from '../_lib/referral-route';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return withReferralCaller(request, 'referral counts', null, async (principal) => referralAnswer(await referralCounts(getRuntime(), principal.userId)));
}
