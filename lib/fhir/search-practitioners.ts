// GET /fhir/Practitioner[?name=…]: the experts a second-opinion case can be
// addressed to by name (ServiceRequest.performer: Practitioner/<id>) — the
// portal form's choices (lib/referrals/list-addressees.ts), the caller
// excluded. Name only: not audited, like the form.
import type { Bundle, Practitioner } from '@medplum/fhirtypes';
import type { Principal } from '../policy/principal';
import { listReferralAddressees } from '../referrals/list-addressees';
import type { FhirContext } from './fhir-context';
import { searchBundle } from './search-bundle';
import { readSearchParams } from './search-params';

export const PRACTITIONER_SEARCH_PARAMS = ['name'] as const;

export async function searchPractitioners(context: FhirContext, principal: Principal, query: URLSearchParams): Promise<Bundle<Practitioner>> {
  const params = readSearchParams(query, PRACTITIONER_SEARCH_PARAMS);
  const name = params.get('name')?.toLocaleLowerCase();
  const { experts } = await listReferralAddressees(context, principal);
  // An expert of several facilities is one Practitioner
  const byUser = new Map<string, Practitioner>();
  for (const expert of experts) {
    if (byUser.has(expert.userId) || (name && !expert.name.toLocaleLowerCase().includes(name))) continue;
    byUser.set(expert.userId, { resourceType: 'Practitioner', id: expert.userId, active: true, ...(expert.name ? { name: [{ text: expert.name }] } : {}) });
  }
  return searchBundle(context.origin, 'Practitioner', query, [...byUser.values()]);
}
