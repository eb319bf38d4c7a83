// GET /fhir/DiagnosticReport?patient.identifier=|subject=|patient=|imaging-study=|study-instance-uid=[&status=]
// At least one patient or study criterion; status narrows (comma-separated codes).
import type { Bundle, DiagnosticReport } from '@medplum/fhirtypes';
import type { Principal } from '../policy/principal';
import { diagnosticReportResource, FHIR_STATUS_OF, type PublishedStatus } from './diagnostic-report-resource';
import { auditFhirSearch } from './fhir-audit';
import type { FhirContext } from './fhir-context';
import { findReadableStudies } from './find-readable-studies';
import { publishedReports } from './published-reports';
import { searchBundle } from './search-bundle';
import { invalidSearch, readSearchParams } from './search-params';
import { studyCriteriaOf } from './study-criteria';

export const DIAGNOSTIC_REPORT_SEARCH_PARAMS = ['patient.identifier', 'subject', 'patient', 'imaging-study', 'study-instance-uid', 'status'] as const;

function statusesOf(raw: string): PublishedStatus[] {
  return raw.split(',').map((code) => {
    const status = (Object.keys(FHIR_STATUS_OF) as PublishedStatus[]).find((key) => FHIR_STATUS_OF[key] === code.trim());
    if (!status) throw invalidSearch(`Unknown status "${code.trim()}". Reports here are preliminary, final, amended or appended.`);
    return status;
  });
}

export async function searchDiagnosticReports(context: FhirContext, principal: Principal, query: URLSearchParams): Promise<Bundle<DiagnosticReport>> {
  const params = readSearchParams(query, DIAGNOSTIC_REPORT_SEARCH_PARAMS);
  const criteria = studyCriteriaOf(params);
  const statuses = params.has('status') ? statusesOf(params.get('status')!) : undefined;
  const studies = await findReadableStudies(context.db, principal.userId, criteria);
  const reports = await publishedReports(context.db, principal.userId, studies, { statuses });
  auditFhirSearch(context, principal, { resourceType: 'DiagnosticReport', query, studies: reports.map((report) => report.study), results: reports.length });
  return searchBundle(context.origin, 'DiagnosticReport', query, reports.map((report) => diagnosticReportResource(report, context.origin)));
}
