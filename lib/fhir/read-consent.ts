// GET /fhir/Consent/<id>: a consent of a patient whose record the caller's
// facility holds (any of the person's linked records), as stored — inactive
// once revoked — or NOT_FOUND. Audited as fhir.read.
import type { Consent } from '@medplum/fhirtypes';
import type { Principal } from '../policy/principal';
import { consentResource } from './consent-resource';
import { readableConsent } from './consent-rows';
import { auditFhirConsentRead } from './fhir-audit';
import type { FhirContext } from './fhir-context';
import { resourceNotFound } from './read-diagnostic-report';
import { isNotFound } from './read-service-request';

export async function readConsent(context: FhirContext, principal: Principal, id: string): Promise<Consent> {
  const consent = await readableConsent(context.db, principal.userId, id).catch((error: unknown) => {
    throw isNotFound(error) ? resourceNotFound('Consent', id) : error;
  });
  auditFhirConsentRead(context, principal, consent);
  return consentResource(consent, context.origin);
}
