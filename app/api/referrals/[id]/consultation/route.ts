// POST /api/referrals/{id}/consultation — the requester or the expert who has the case starts (or
// rejoins) a live teleconsultation on its first study with the other → 201 {id, path} (200 when an
// open one of the case is reused).
import { startCaseConsultation } from '../../../../../lib/referrals/start-case-consultation';
import { getRuntime } from '../../../../../lib/runtime';
import { referralAnswer, withReferralCaller } from '../../_lib/referral-route';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return withReferralCaller(request, 'referral consultation', id, async (principal) => {
    const started = await startCaseConsultation(getRuntime(), principal, id);
    return referralAnswer({ id: started.id, path: `/consultations/${started.id}` }, started.created ? 201 : 200);
  });
}
