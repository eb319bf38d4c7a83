// GET /api/referrals/addressees — whom a case can be addressed to: {services: [{id, name, facilityId,
// facilityName, turnaroundMinutes: {STAT, URGENT, ROUTINE}}], experts: [{userId, name, facilityId, facilityName}]}.
import { listReferralAddressees } from '../../../../lib/referrals/list-addressees';
import { getRuntime } from '../../../../lib/runtime';
import { referralAnswer, withReferralCaller } from '../_lib/referral-route';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return withReferralCaller(request, 'referral addressees', null, async (principal) => referralAnswer(await listReferralAddressees(getRuntime(), principal)));
}
