// GET /fhir/Consent/<id> → the consent as stored, or 404 OperationOutcome
// PUT /fhir/Consent/<id> (the Consent with status inactive or entered-in-error) → 200, the consent revoked
import { MAX_CONSENT_BODY_BYTES } from '../../../../lib/fhir/consent-input';
import { readConsent } from '../../../../lib/fhir/read-consent';
import { updateConsent } from '../../../../lib/fhir/update-consent';
import { answerFhir, answerFhirUpdate } from '../../_lib/fhir-route';
import { refuseConsentChange } from '../../_lib/read-only';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return answerFhir(request, 'FHIR Consent read', (context, principal) => readConsent(context, principal, id));
}

export async function PUT(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return answerFhirUpdate(request, 'FHIR Consent update', (context, principal, body) => updateConsent(context, principal, id, body), MAX_CONSENT_BODY_BYTES);
}

/** No delete or patch: a 405 OperationOutcome with Allow (read-only.ts) */
export const POST = refuseConsentChange('GET, HEAD, PUT');
export const PATCH = POST;
export const DELETE = POST;

