// GET /fhir/ServiceRequest?patient.identifier=<system|value or value>[&_count=n]
// The second-opinion cases the caller takes part in (no parameter: all of
// them), newest change first; total counts every match, the Bundle carries
// the first _count (default 100, at most 500).
import type { Bundle, ServiceRequest } from '@medplum/fhirtypes';
import type { Prisma } from '../../prisma/database';
import type { Principal } from '../policy/principal';
import { auditFhirCaseSearch } from './fhir-audit';
import type { FhirContext } from './fhir-context';
import { DEFAULT_CASES, MAX_CASES, participantReferrals } from './referral-rows';
import { searchBundle } from './search-bundle';
import { countOf, issuerMatches, parseToken, readSearchParams } from './search-params';
import { serviceRequestResource } from './service-request-resource';

export const SERVICE_REQUEST_SEARCH_PARAMS = ['patient.identifier', '_count'] as const;

/** The cases of a patient: by the record's issuer when a system is given, else by the ID the case keeps */
async function patientWhere(context: FhirContext, raw: string): Promise<Prisma.ReferralWhereInput> {
  const token = parseToken(raw);
  if (token.system === undefined) return { patientId: token.value };
  const records = await context.db.patient.findMany({ where: { patientId: token.value }, select: { id: true, issuer: true } });
  return { patientRef: { in: records.filter((record) => issuerMatches(token, record.issuer)).map((record) => record.id) } };
}

export async function searchServiceRequests(context: FhirContext, principal: Principal, query: URLSearchParams): Promise<Bundle<ServiceRequest>> {
  const params = readSearchParams(query, SERVICE_REQUEST_SEARCH_PARAMS);
  const count = countOf(params, DEFAULT_CASES, MAX_CASES);
  const identifier = params.get('patient.identifier');
  const where = identifier ? await patientWhere(context, identifier) : {};
  const { rows, total } = await participantReferrals(context.db, principal, where, count);
  auditFhirCaseSearch(context, principal, { resourceType: 'ServiceRequest', query, referrals: rows, total });
  return searchBundle(context.origin, 'ServiceRequest', query, rows.map(serviceRequestResource), total);
}
