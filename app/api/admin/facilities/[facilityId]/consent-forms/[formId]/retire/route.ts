// POST /api/admin/facilities/{facilityId}/consent-forms/{formId}/retire → {form} no longer offered for signing
//      in its language (earlier versions with it); already retired: unchanged. 404 for another facility's form.
import { retireConsentForm } from '../../../../../../../../lib/consent/forms/retire-consent-form';
import { getRuntime } from '../../../../../../../../lib/runtime';
import { noStore, withSignedInCaller } from '../../../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, { params }: { params: Promise<{ facilityId: string; formId: string }> }): Promise<Response> {
  const { facilityId, formId } = await params;
  return withSignedInCaller(request, 'retire consent form', async (_caller, actor) => noStore({ form: await retireConsentForm(getRuntime(), actor, facilityId, formId) }));
}
