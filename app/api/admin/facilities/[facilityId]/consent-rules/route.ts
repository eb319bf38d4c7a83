// GET /api/admin/facilities/{facilityId}/consent-rules → {requiredFor: [purpose…]}
// PUT /api/admin/facilities/{facilityId}/consent-rules {requiredFor: ['SECOND_OPINION', …]} → {requiredFor}
//     the purposes for which a share outside the facility needs the patient's consent; 400 with fields for an
//     unknown purpose. 404 outsider, 403 a member not its admin.
import { getConsentRules, setConsentRules } from '../../../../../../lib/consent/consent-rules';
import { getRuntime } from '../../../../../../lib/runtime';
import { jsonBody, noStore, withSignedInCaller } from '../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

type Params = { params: Promise<{ facilityId: string }> };

export async function GET(request: Request, { params }: Params): Promise<Response> {
  const { facilityId } = await params;
  return withSignedInCaller(request, 'read consent rules', async (_caller, actor) => noStore(await getConsentRules(getRuntime(), actor, facilityId)));
}

export async function PUT(request: Request, { params }: Params): Promise<Response> {
  const { facilityId } = await params;
  return withSignedInCaller(request, 'set consent rules', async (_caller, actor) => noStore(await setConsentRules(getRuntime(), actor, facilityId, await jsonBody(request))));
}
