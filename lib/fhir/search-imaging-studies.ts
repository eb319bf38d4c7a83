// GET /fhir/ImagingStudy?patient.identifier=|subject=|patient=|identifier=|study-instance-uid=
// The study copies the caller may read (the archive's read scope).
import type { Bundle, ImagingStudy } from '@medplum/fhirtypes';
import type { Principal } from '../policy/principal';
import { auditFhirSearch } from './fhir-audit';
import type { FhirContext } from './fhir-context';
import { findReadableStudies } from './find-readable-studies';
import { imagingStudyResource } from './imaging-study-resource';
import { searchBundle } from './search-bundle';
import { readSearchParams } from './search-params';
import { studyCriteriaOf } from './study-criteria';

export const IMAGING_STUDY_SEARCH_PARAMS = ['patient.identifier', 'subject', 'patient', 'identifier', 'study-instance-uid'] as const;

export async function searchImagingStudies(context: FhirContext, principal: Principal, query: URLSearchParams): Promise<Bundle<ImagingStudy>> {
  const params = readSearchParams(query, IMAGING_STUDY_SEARCH_PARAMS);
  const studies = await findReadableStudies(context.db, principal.userId, studyCriteriaOf(params));
  auditFhirSearch(context, principal, { resourceType: 'ImagingStudy', query, studies, results: studies.length });
  return searchBundle(context.origin, 'ImagingStudy', query, studies.map((study) => imagingStudyResource(study, context.origin)));
}
