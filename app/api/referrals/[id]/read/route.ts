// POST /api/referrals/{id}/read — the caller has read the thread (their unread count becomes 0) → 204.
import { markReferralRead } from '../../../../../lib/referrals/post-message';
import { getRuntime } from '../../../../../lib/runtime';
import { withReferralCaller } from '../../_lib/referral-route';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return withReferralCaller(request, 'referral read', id, async (principal) => {
    await markReferralRead(getRuntime(), principal, id);
    return new Response(null, { status: 204 });
  });
}
