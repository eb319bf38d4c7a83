// GET /api/referrals/{id} — the case as one of its parties sees it (lib/referrals/get-referral.ts); 404 otherwise.
import { getReferral } from '../../../../lib/referrals/get-referral';
import { getRuntime } from '../../../../lib/runtime';
import { referralAnswer, withReferralCaller } from '../_lib/referral-route';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return withReferralCaller(request, 'get referral', id, async (principal) => referralAnswer(await getReferral(getRuntime(), principal, id)));
}
