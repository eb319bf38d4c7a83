// GET /fhir/ImagingStudy/<id>: one study copy the caller may read, or NOT_FOUND.
import type { ImagingStudy } from '@medplum/fhirtypes';
import type { Principal } from '../policy/principal';
import { auditFhirRead } from './fhir-audit';
import type { FhirContext } from './fhir-context';
import { findReadableStudies } from './find-readable-studies';
import { imagingStudyResource } from './imaging-study-resource';
import { resourceNotFound } from './read-diagnostic-report';

export async function readImagingStudy(context: FhirContext, principal: Principal, id: string): Promise<ImagingStudy> {
  const [study] = /^[A-Za-z0-9\-.]{1,64}$/.test(id) ? await findReadableStudies(context.db, principal.userId, { studyRef: id }) : [];
  if (!study) throw resourceNotFound('ImagingStudy', id);
  auditFhirRead(context, principal, { resourceType: 'ImagingStudy', id, study });
  return imagingStudyResource(study, context.origin);
}
