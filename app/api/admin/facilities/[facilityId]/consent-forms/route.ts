// GET  /api/admin/facilities/{facilityId}/consent-forms → {forms, history} the current forms and every version
// POST /api/admin/facilities/{facilityId}/consent-forms {key, language, title, body}
//      → 201 {form} the new version (1 for a new key and language); 400 with fields; 409 CONFLICT when another
//      version of that key and language was published at the same moment. 404 outsider, 403 a member not its admin.
import { listConsentForms } from '../../../../../../lib/consent/forms/list-consent-forms';
import { publishConsentForm } from '../../../../../../lib/consent/forms/publish-consent-form';
import { getRuntime } from '../../../../../../lib/runtime';
import { jsonBody, noStore, withSignedInCaller } from '../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

type Params = { params: Promise<{ facilityId: string }> };

export async function GET(request: Request, { params }: Params): Promise<Response> {
  const { facilityId } = await params;
  return withSignedInCaller(request, 'list consent form versions', async (_caller, actor) => noStore(await listConsentForms(getRuntime(), actor, facilityId, { history: true })));
}

export async function POST(request: Request, { params }: Params): Promise<Response> {
  const { facilityId } = await params;
  return withSignedInCaller(request, 'publish consent form', async (_caller, actor) => noStore({ form: await publishConsentForm(getRuntime(), actor, facilityId, await jsonBody(request)) }, 201));
}
