// POST /api/referrals — a referring doctor opens a second-opinion case
//   {studyInstanceUids: [first, priors…], question, history?, priority?: ROUTINE|URGENT|STAT,
//    addressee: {serviceId} | {userId, facilityId?}, send?: true}
//   → 201 {id, status, path}; 400 with a message per field; 404 for a study the caller cannot share.
// GET /api/referrals?box=inbox|mine&status=open|all|<STATUS>&priority=&modality=&facilityId=&page=
//   → {rows, total, page, pageSize, facilities}: the expert's inbox (default) or "My referrals".
import { createReferral } from '../../../lib/referrals/create-referral';
import { listMyReferrals, listReferralInbox } from '../../../lib/referrals/list-referrals';
import { getRuntime } from '../../../lib/runtime';
import { referralAnswer, withReferralCaller } from './_lib/referral-route';

export const dynamic = 'force-dynamic';

export function POST(request: Request): Promise<Response> {
  return withReferralCaller(request, 'create referral', null, async (principal, body) => {
    const created = await createReferral(getRuntime(), principal, await body());
    return referralAnswer({ ...created, path: `/referrals/${created.id}` }, 201);
  });
}

export function GET(request: Request): Promise<Response> {
  return withReferralCaller(request, 'list referrals', null, async (principal) => {
    const params = Object.fromEntries(new URL(request.url).searchParams);
    const { box, ...filters } = params;
    const list = box === 'mine' ? await listMyReferrals(getRuntime(), principal, filters) : await listReferralInbox(getRuntime(), principal, filters);
    return referralAnswer(list);
  });
}
