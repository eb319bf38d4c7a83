// GET /api/facilities/{facilityId}/consent-forms → {forms: [...]} the consent forms a patient may be asked
// to sign (per key and language, the current version); 404 for anyone who is not a member.
import { listConsentForms } from '../../../../../lib/consent/forms/list-consent-forms';
import { getRuntime } from '../../../../../lib/runtime';
import { noStore, withSignedInCaller } from '../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ facilityId: string }> }): Promise<Response> {
  const { facilityId } = await params;
  return withSignedInCaller(request, 'list consent forms', async (_caller, actor) => noStore(await listConsentForms(getRuntime(), actor, facilityId)));
}
