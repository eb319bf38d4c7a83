// GET /fhir/Consent?patient.identifier=<system|value or value>[&status=active,inactive,…]
// (or patient=Patient/<id>): the consents of a patient whose record the
// caller's facilities hold — the person's, across linked records, as the
// patient page shows them — newest first. A patient criterion is required;
// a patient of another facility finds nothing. Audited as fhir.search.
import type { Bundle, Consent } from '@medplum/fhirtypes';
import { CONSENT_STATUSES } from '../consent/consent-types';
import type { Principal } from '../policy/principal';
import { consentResource } from './consent-resource';
import { callerPatientRecords, patientConsents } from './consent-rows';
import { auditFhirConsentSearch } from './fhir-audit';
import type { FhirContext } from './fhir-context';
import { searchBundle } from './search-bundle';
import { invalidSearch, parseToken, readSearchParams, referenceId } from './search-params';

export const CONSENT_SEARCH_PARAMS = ['patient.identifier', 'patient', 'status'] as const;

function statusesOf(raw: string | undefined): string[] | null {
  if (raw === undefined) return null;
  const statuses = raw.split(',').map((status) => status.trim());
  const unknown = statuses.filter((status) => !(CONSENT_STATUSES as readonly string[]).includes(status));
  if (unknown.length) throw invalidSearch(`"status": ${unknown.join(', ')} is not kept here. Use ${CONSENT_STATUSES.join(', ')} (comma-separated for several).`);
  return statuses;
}

export async function searchConsents(context: FhirContext, principal: Principal, query: URLSearchParams): Promise<Bundle<Consent>> {
  const params = readSearchParams(query, CONSENT_SEARCH_PARAMS);
  const identifier = params.get('patient.identifier');
  const reference = params.get('patient');
  if (!identifier && !reference) throw invalidSearch('Name the patient: "patient.identifier" (system|value or value) or "patient" (Patient/<id>).');
  const statuses = statusesOf(params.get('status'));
  const records = new Set<string>();
  if (identifier) for (const row of await callerPatientRecords(context.db, principal.userId, { identifier: parseToken(identifier) })) records.add(row.id);
  if (reference) {
    const matching = await callerPatientRecords(context.db, principal.userId, { patientRef: referenceId(reference, 'Patient', 'patient') });
    // Both given: the records both name
    const named = new Set(matching.map((row) => row.id));
    if (identifier) {
      for (const ref of [...records]) if (!named.has(ref)) records.delete(ref);
    } else {
      for (const ref of named) records.add(ref);
    }
  }
  const consents = await patientConsents(context.db, [...records], statuses);
  auditFhirConsentSearch(context, principal, { query, consents });
  return searchBundle(context.origin, 'Consent', query, consents.map((consent) => consentResource(consent, context.origin)));
}
