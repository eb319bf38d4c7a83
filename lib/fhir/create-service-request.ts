// POST /fhir/ServiceRequest: a hospital system opens a second-opinion case.
// The posted ServiceRequest (service-request-input.ts) is resolved against
// what the caller may read — the patient, the studies, the addressee — with a
// 404 naming the element for what is not known, then handed to the portal's
// own operation (lib/referrals/create-referral.ts: the same checks, grants,
// audit, notifications and news as the form). Answers the case as stored.
import type { ServiceRequest } from '@medplum/fhirtypes';
import { DomainError, isDomainError } from '../errors';
import type { Principal } from '../policy/principal';
import { resolveReferralAddressee } from '../policy/referral-access';
import { createReferral } from '../referrals/create-referral';
import type { FhirContext } from './fhir-context';
import { findReadableStudies, type FhirStudyRow } from './find-readable-studies';
import { readableReferral } from './referral-rows';
import { invalidElement, readServiceRequestInput, type ServiceRequestInput, type StudyPointer } from './service-request-input';
import { serviceRequestResource } from './service-request-resource';

function unknownElement(expression: string, message: string): DomainError {
  return new DomainError('NOT_FOUND', `unknown ${expression}`, { userMessage: `${expression}: ${message}`, fields: { [expression]: message } });
}

/** The elements of the ServiceRequest that the fields of lib/referrals' errors come from */
const ELEMENT_OF: Record<string, string> = {
  addressee: 'ServiceRequest.performer[0]',
  studyInstanceUids: 'ServiceRequest.supportingInfo',
  question: 'ServiceRequest.reasonCode[0].text',
  history: 'ServiceRequest.note',
  priority: 'ServiceRequest.priority',
};

async function subjectRecords(context: FhirContext, principal: Principal, subject: ServiceRequestInput['subject']): Promise<Set<string>> {
  const studies = await findReadableStudies(context.db, principal.userId, 'identifier' in subject ? { patientIdentifier: subject.identifier } : { patientRef: subject.patientRef });
  if (!studies.length) {
    const named = 'identifier' in subject ? `a patient with identifier ${subject.identifier.system ? `${subject.identifier.system}|` : ''}${subject.identifier.value}` : `Patient/${subject.patientRef}`;
    throw unknownElement('ServiceRequest.subject', `${named} is not known.`);
  }
  return new Set(studies.map((study) => study.patient.id));
}

async function studyCopies(context: FhirContext, principal: Principal, pointer: StudyPointer, index: number): Promise<FhirStudyRow[]> {
  const copies = await findReadableStudies(context.db, principal.userId, 'uid' in pointer ? { studyInstanceUid: pointer.uid } : { studyRef: pointer.studyRef });
  if (!copies.length) throw unknownElement(`ServiceRequest.supportingInfo[${index}]`, `${'uid' in pointer ? `ImagingStudy urn:oid:${pointer.uid}` : `ImagingStudy/${pointer.studyRef}`} is not known.`);
  return copies;
}

export async function createServiceRequest(context: FhirContext, principal: Principal, body: unknown): Promise<ServiceRequest> {
  const input = readServiceRequestInput(body);
  const patients = await subjectRecords(context, principal, input.subject);
  const studies: FhirStudyRow[][] = [];
  for (const [index, pointer] of input.studies.entries()) studies.push(await studyCopies(context, principal, pointer, index));
  // The study the case is about must be the subject's (the priors: the same person, which createReferral checks)
  if (!studies[0].some((copy) => patients.has(copy.patient.id))) throw invalidElement('ServiceRequest.supportingInfo[0]', 'is not a study of the subject (the patient).');
  await resolveReferralAddressee(context.db, input.addressee).catch((error: unknown) => {
    throw isDomainError(error) && error.code === 'NOT_FOUND' ? unknownElement('ServiceRequest.performer[0]', `${input.performer} is not known (an enabled service, or an expert of an enabled facility).`) : error;
  });

  const created = await createReferral(context, principal, {
    studyInstanceUids: studies.map((copies) => copies[0].studyInstanceUid),
    question: input.question,
    history: input.history,
    priority: input.priority,
    addressee: input.addressee,
    send: input.send,
  }).catch((error: unknown) => {
    if (!isDomainError(error)) throw error;
    if (error.code === 'NOT_FOUND') throw unknownElement('ServiceRequest.supportingInfo', 'a study is not yours to share (read only through a consultation or another case).');
    const [field, message] = Object.entries(error.fields ?? {})[0] ?? [];
    const element = field ? (ELEMENT_OF[field.split('.')[0]] ?? 'ServiceRequest') : 'ServiceRequest';
    throw error.code === 'INVALID_INPUT' ? invalidElement(element, message ?? error.userMessage) : error;
  });
  return serviceRequestResource(await readableReferral(context.db, principal, created.id));
}
