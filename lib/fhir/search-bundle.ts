// A search answer: a searchset Bundle (total, self link, fullUrl + resource per match).
// total: every match, when the Bundle carries only the first ones (_count).
// No match: no entry element (FHIR JSON has no empty arrays).
import type { Bundle, Resource } from '@medplum/fhirtypes';

export function searchBundle<R extends Resource & { id?: string }>(origin: string, resourceType: string, query: URLSearchParams, resources: readonly R[], total = resources.length): Bundle<R> {
  const search = query.toString();
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total,
    link: [{ relation: 'self', url: `${origin}/fhir/${resourceType}${search ? `?${search}` : ''}` }],
    ...(resources.length ? { entry: resources.map((resource) => ({ fullUrl: `${origin}/fhir/${resourceType}/${resource.id}`, resource, search: { mode: 'match' as const } })) } : {}),
  };
}
