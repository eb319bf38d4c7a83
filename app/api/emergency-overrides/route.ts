// POST /api/emergency-overrides {patientRef, reasonCode, reasonText?, password, hours? (1–4, default 4), use?: self|share}
//   → 201 {id, endsAt, grants}: break-glass for the patient's person, as the caller acting for their facility.
//   400 INVALID_INPUT (fields: reasonCode, reasonText, hours, password: "That is not your password"), 429 RATE_LIMITED
//   (Retry-After), 403 FORBIDDEN (a member without a clinical role), 404 NOT_FOUND (a patient their facility does not hold).
// GET /api/emergency-overrides?state=pending|all&facilityId= → {rows}: the review queue (PENDING first, newest first);
//   404 for anyone who reviews for no facility.
import { requireApiUser, principalOf } from '../../_lib/api-session';
import { answerErrors } from '../../_lib/error-response';
import { declareOverride } from '../../../lib/emergency-override/declare-override';
import { listOverrides } from '../../../lib/emergency-override/list-overrides';
import { getRuntime } from '../../../lib/runtime';
import { readJsonBody } from './_lib/read-json-body';

export const dynamic = 'force-dynamic';

export function POST(request: Request): Promise<Response> {
  return answerErrors('declare emergency override', async () => {
    const caller = await requireApiUser(request);
    if (caller instanceof Response) return caller;
    const declared = await declareOverride(getRuntime(), { ...principalOf(caller), actingFacilityId: caller.user.actingFacilityId }, await readJsonBody(request));
    return Response.json({ id: declared.id, endsAt: declared.endsAt.toISOString(), grants: declared.grants }, { status: 201, headers: { 'cache-control': 'no-store' } });
  });
}

export function GET(request: Request): Promise<Response> {
  return answerErrors('list emergency overrides', async () => {
    const caller = await requireApiUser(request);
    if (caller instanceof Response) return caller;
    const params = new URL(request.url).searchParams;
    const rows = await listOverrides(getRuntime(), caller.user.id, { state: params.get('state') ?? undefined, facilityId: params.get('facilityId') ?? undefined });
    return Response.json({ rows }, { headers: { 'cache-control': 'no-store' } });
  });
}
