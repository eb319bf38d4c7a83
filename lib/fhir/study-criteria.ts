// The patient and study criteria of a search, shared by DiagnosticReport and
// ImagingStudy: at least one is required (no search of everything).
import type { StudyCriteria } from './find-readable-studies';
import { invalidSearch, parseToken, referenceId, studyUidOf } from './search-params';

/** The study criteria shared with ImagingStudy searches; at least one is required */
export function studyCriteriaOf(params: Map<string, string>): StudyCriteria {
  const criteria: StudyCriteria = {};
  const identifier = params.get('patient.identifier');
  if (identifier) criteria.patientIdentifier = parseToken(identifier);
  const subject = params.get('subject') ?? params.get('patient');
  if (subject) criteria.patientRef = referenceId(subject, 'Patient', params.has('subject') ? 'subject' : 'patient');
  const imagingStudy = params.get('imaging-study');
  if (imagingStudy) criteria.studyRef = referenceId(imagingStudy, 'ImagingStudy', 'imaging-study');
  const uid = params.get('study-instance-uid') ?? params.get('identifier');
  if (uid) criteria.studyInstanceUid = studyUidOf(uid, params.has('identifier') ? 'identifier' : 'study-instance-uid');
  if (Object.keys(criteria).length === 0) throw invalidSearch('Name a patient (patient.identifier, subject) or a study to search.');
  return criteria;
}
