// GET /fhir/DiagnosticReport/<id>: the report as readers see it, or NOT_FOUND
// (absent, a draft only, or not the caller's to read: one answer for all).
import type { DiagnosticReport } from '@medplum/fhirtypes';
import { DomainError } from '../errors';
import type { Principal } from '../policy/principal';
import { diagnosticReportResource } from './diagnostic-report-resource';
import { auditFhirRead } from './fhir-audit';
import type { FhirContext } from './fhir-context';
import { findReadableStudies } from './find-readable-studies';
import { publishedReports } from './published-reports';

export function resourceNotFound(resourceType: string, id: string): DomainError {
  return new DomainError('NOT_FOUND', `${resourceType} not found`, { userMessage: `${resourceType}/${id} is not known.` });
}

export async function readDiagnosticReport(context: FhirContext, principal: Principal, id: string): Promise<DiagnosticReport> {
  const row = /^[A-Za-z0-9\-.]{1,64}$/.test(id) ? await context.db.report.findUnique({ where: { id }, select: { studyRef: true } }) : null;
  const studies = row?.studyRef ? await findReadableStudies(context.db, principal.userId, { studyRef: row.studyRef }) : [];
  const [report] = await publishedReports(context.db, principal.userId, studies, { reportId: id });
  if (!report) throw resourceNotFound('DiagnosticReport', id);
  auditFhirRead(context, principal, { resourceType: 'DiagnosticReport', id, study: report.study, reportStatus: report.status });
  return diagnosticReportResource(report, context.origin);
}
