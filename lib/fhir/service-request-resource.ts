// A second-opinion case as an R4 ServiceRequest (what was asked): intent
// order, the patient, the studies as supportingInfo (ImagingStudy/<id> and the
// Study Instance UID identifier, the form ImagingStudy carries), the addressee
// as performer (HealthcareService/<serviceId> or Practitioner/<userId>), the
// requester, the priority, the question as reasonCode.text, the history as a
// note. The id is the case's id (the same as its Task's).
import type { HealthcareService, Patient, Practitioner, Reference, ServiceRequest } from '@medplum/fhirtypes';
import type { ReferralStatus } from '../referrals/referral-states';
import { displayName, patientReference } from './patient-reference';
import type { FhirReferral } from './referral-rows';

/** The request's status: what was asked is active until the case is completed or cancelled */
export const SERVICE_REQUEST_STATUS_OF: Record<ReferralStatus, ServiceRequest['status']> = {
  DRAFT: 'draft',
  REQUESTED: 'active',
  ACCEPTED: 'active',
  DECLINED: 'active',
  IN_PROGRESS: 'active',
  ON_HOLD: 'active',
  COMPLETED: 'completed',
  CLOSED: 'completed',
  CANCELLED: 'revoked',
};

export const FHIR_PRIORITY_OF = { ROUTINE: 'routine', URGENT: 'urgent', STAT: 'stat' } as const;

export const REFERRAL_IDENTIFIER_SYSTEM = 'urn:telepacs:referral';

export function practitionerReference(user: { id: string; name: string; email: string }): Reference<Practitioner> {
  return { reference: `Practitioner/${user.id}`, type: 'Practitioner', display: user.name || user.email };
}

export function healthcareServiceReference(service: { id: string; name: string }): Reference<HealthcareService> {
  return { reference: `HealthcareService/${service.id}`, type: 'HealthcareService', display: service.name };
}

/** The case's patient: the record's reference, or (record deleted) the ID and name the case kept */
export function casePatient(referral: FhirReferral): Reference<Patient> {
  if (referral.patient) return patientReference(referral.patient);
  const display = displayName(referral.patientName);
  return { type: 'Patient', identifier: { use: 'usual', value: referral.patientId }, ...(display ? { display } : {}) };
}

/** The addressee: the service, or the named expert */
export function addresseeReference(referral: FhirReferral): Reference<HealthcareService | Practitioner> {
  if (referral.targetService) return healthcareServiceReference(referral.targetService);
  return referral.targetUser ? practitionerReference(referral.targetUser) : { type: 'Practitioner', display: 'Unknown' };
}

export function serviceRequestResource(referral: FhirReferral): ServiceRequest {
  return {
    resourceType: 'ServiceRequest',
    id: referral.id,
    meta: { lastUpdated: referral.updatedAt.toISOString() },
    identifier: [{ system: REFERRAL_IDENTIFIER_SYSTEM, value: referral.id }],
    status: SERVICE_REQUEST_STATUS_OF[referral.status as ReferralStatus] ?? 'unknown',
    intent: 'order',
    code: { text: 'Second opinion' },
    priority: FHIR_PRIORITY_OF[referral.priority as keyof typeof FHIR_PRIORITY_OF] ?? 'routine',
    subject: casePatient(referral),
    authoredOn: (referral.requestedAt ?? referral.createdAt).toISOString(),
    requester: practitionerReference(referral.requester),
    performer: [addresseeReference(referral)],
    reasonCode: [{ text: referral.question }],
    supportingInfo: referral.studies.map((study) => ({
      type: 'ImagingStudy',
      ...(study.studyRef ? { reference: `ImagingStudy/${study.studyRef}` } : {}),
      identifier: { system: 'urn:dicom:uid', value: `urn:oid:${study.studyInstanceUid}` },
    })),
    ...(referral.history ? { note: [{ text: referral.history }] } : {}),
  };
}
