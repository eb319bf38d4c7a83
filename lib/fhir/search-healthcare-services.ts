// GET /fhir/HealthcareService[?name=…]: the services a second-opinion case can
// be addressed to (ServiceRequest.performer: HealthcareService/<id>) — the
// portal form's choices (lib/referrals/list-addressees.ts), with their
// facility and turnaround. Names only, no patient data: not audited, like the form.
import type { Bundle, HealthcareService } from '@medplum/fhirtypes';
import type { Principal } from '../policy/principal';
import { listReferralAddressees } from '../referrals/list-addressees';
import type { FhirContext } from './fhir-context';
import { searchBundle } from './search-bundle';
import { readSearchParams } from './search-params';

export const HEALTHCARE_SERVICE_SEARCH_PARAMS = ['name'] as const;

function minutes(value: number): string {
  return value % 1440 === 0 ? `${value / 1440} d` : value % 60 === 0 ? `${value / 60} h` : `${value} min`;
}

export async function searchHealthcareServices(context: FhirContext, principal: Principal, query: URLSearchParams): Promise<Bundle<HealthcareService>> {
  const params = readSearchParams(query, HEALTHCARE_SERVICE_SEARCH_PARAMS);
  const name = params.get('name')?.toLocaleLowerCase();
  const { services } = await listReferralAddressees(context, principal);
  const resources = services
    .filter((service) => !name || service.name.toLocaleLowerCase().includes(name))
    .map(
      (service): HealthcareService => ({
        resourceType: 'HealthcareService',
        id: service.id,
        active: true,
        providedBy: { reference: `Organization/${service.facilityId}`, type: 'Organization', display: service.facilityName },
        name: service.name,
        comment: `Second opinions. Turnaround: stat ${minutes(service.turnaroundMinutes.STAT)}, urgent ${minutes(service.turnaroundMinutes.URGENT)}, routine ${minutes(service.turnaroundMinutes.ROUTINE)}.`,
      }),
    );
  return searchBundle(context.origin, 'HealthcareService', query, resources);
}
