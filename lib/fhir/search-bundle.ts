// A search answer: a searchset Bundle (total, self link, fullUrl + resource per match).
import type { Bundle, Resource } from '@medplum/fhirtypes';

export function searchBundle<R extends Resource & { id?: string }>(origin: string, resourceType: string, query: URLSearchParams, resources: readonly R[]): Bundle<R> {
  const search = query.toString();
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: resources.length,
    link: [{ relation: 'self', url: `${origin}/fhir/${resourceType}${search ? `?${search}` : ''}` }],
    entry: resources.map((resource) => ({ fullUrl: `${origin}/fhir/${resourceType}/${resource.id}`, resource, search: { mode: 'match' } })),
  };
}
