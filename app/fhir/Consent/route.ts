// POST /fhir/Consent (a Consent, application/fhir+json, a scanned form inline at most 20 MB) → 201, the consent as stored, Location
// GET /fhir/Consent?patient.identifier=…[&status=…] → searchset Bundle of the patient's consents
import { MAX_CONSENT_BODY_BYTES } from '../../../lib/fhir/consent-input';
import { createConsent } from '../../../lib/fhir/create-consent';
import { searchConsents } from '../../../lib/fhir/search-consents';
import { answerFhir, answerFhirCreate } from '../_lib/fhir-route';
import { refuseConsentChange } from '../_lib/read-only';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return answerFhir(request, 'FHIR Consent search', (context, principal) => searchConsents(context, principal, new URL(request.url).searchParams));
}

export function POST(request: Request): Promise<Response> {
  return answerFhirCreate(request, 'FHIR Consent create', (context, principal, body) => createConsent(context, principal, body), MAX_CONSENT_BODY_BYTES);
}

/** Status changes go to the instance (PUT /fhir/Consent/<id>): a 405 OperationOutcome with Allow */
export const PUT = refuseConsentChange('GET, HEAD, POST');
export const PATCH = PUT;
export const DELETE = PUT;
