// GET /fhir/ServiceRequest/<id>: a second-opinion case the caller takes part
// in (asked it, is its addressee or its expert), or NOT_FOUND.
import type { ServiceRequest } from '@medplum/fhirtypes';
import { isDomainError } from '../errors';
import type { Principal } from '../policy/principal';
import { auditFhirCaseRead } from './fhir-audit';
import type { FhirContext } from './fhir-context';
import { resourceNotFound } from './read-diagnostic-report';
import { readableReferral } from './referral-rows';
import { serviceRequestResource } from './service-request-resource';

export async function readServiceRequest(context: FhirContext, principal: Principal, id: string): Promise<ServiceRequest> {
  const referral = await readableReferral(context.db, principal, id).catch((error: unknown) => {
    throw isNotFound(error) ? resourceNotFound('ServiceRequest', id) : error;
  });
  auditFhirCaseRead(context, principal, { resourceType: 'ServiceRequest', referral });
  return serviceRequestResource(referral);
}

export function isNotFound(error: unknown): boolean {
  return isDomainError(error) && error.code === 'NOT_FOUND';
}
