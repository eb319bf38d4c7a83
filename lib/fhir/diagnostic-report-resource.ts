// A report as an R4 DiagnosticReport: the version readers see (the published
// one: preliminary, or the newest signed), never a draft. Status mapped from
// the report's; code LOINC 18748-4; the impression as conclusion; the signed
// PDF (GET /api/reports/{id}/pdf) as presentedForm.
import type { DiagnosticReport, Practitioner, Reference } from '@medplum/fhirtypes';
import type { ReportSection, ReportStatus } from '../reports/report-types';
import type { FhirStudyRow } from './find-readable-studies';
import { fhirDate } from './imaging-study-resource';
import { patientReference } from './patient-reference';

export const FHIR_STATUS_OF = {
  PRELIMINARY: 'preliminary',
  FINAL: 'final',
  AMENDED: 'amended',
  ADDENDUM: 'appended',
} as const satisfies Partial<Record<ReportStatus, DiagnosticReport['status']>>;

export type PublishedStatus = keyof typeof FHIR_STATUS_OF;
export const PUBLISHED_STATUSES = Object.keys(FHIR_STATUS_OF) as PublishedStatus[];

export interface PublishedReport {
  id: string;
  status: PublishedStatus;
  study: FhirStudyRow;
  version: { version: number; sections: ReportSection[]; savedAt: Date; signedAt: Date | null };
  /** Who signed it, or for a preliminary report who wrote it */
  interpreter: string;
}

function practitioner(name: string): Reference<Practitioner> {
  return { type: 'Practitioner', display: name || 'Unknown' };
}

export function diagnosticReportResource(report: PublishedReport, origin: string): DiagnosticReport {
  const impression = report.version.sections.find((section) => section.key === 'impression');
  const conclusion = [impression?.pick, impression?.text].filter((part) => part?.trim()).join('\n');
  const effective = fhirDate(report.study.studyDate);
  const signed = report.version.signedAt !== null;
  const issued = report.version.signedAt ?? report.version.savedAt;
  return {
    resourceType: 'DiagnosticReport',
    id: report.id,
    identifier: [{ system: 'urn:telepacs:report', value: `${report.id}/v${report.version.version}` }],
    status: FHIR_STATUS_OF[report.status],
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'RAD', display: 'Radiology' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '18748-4', display: 'Diagnostic imaging study' }], text: report.study.description || 'Imaging report' },
    subject: patientReference(report.study.patient),
    ...(effective ? { effectiveDateTime: effective } : {}),
    issued: issued.toISOString(),
    performer: [practitioner(report.interpreter)],
    resultsInterpreter: [practitioner(report.interpreter)],
    imagingStudy: [{ reference: `ImagingStudy/${report.study.id}`, type: 'ImagingStudy' }],
    ...(conclusion ? { conclusion } : {}),
    // The PDF exists once a version is signed (lib/reports/signed-artifacts.ts)
    ...(signed
      ? {
          presentedForm: [
            {
              contentType: 'application/pdf',
              url: `${origin}/api/reports/${report.id}/pdf`,
              title: `Radiology report, version ${report.version.version}`,
              creation: issued.toISOString(),
            },
          ],
        }
      : {}),
  };
}
