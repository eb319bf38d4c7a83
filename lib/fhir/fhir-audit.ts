// FHIR reads are reads of patient data: audited like the portal's and the
// archive's reads, through the journalled audit queue (lib/audit/audit-queue.ts:
// durable before the answer, written in a group commit). A search leaves one
// event per patient of a facility it returned (each facility sees its own),
// or one event when it found nothing. A second-opinion case read as a
// ServiceRequest or a Task is audited the same way, for the case's patient at
// the requesting facility (whose administrators see the case's audit rows). A
// consent read or searched: for its patient at the facility that recorded it.
import { auditQueueFor, type AuditQueueContext } from '../audit/audit-queue';
import type { Principal } from '../policy/principal';
import type { FhirStudyRow } from './find-readable-studies';
import type { FhirConsent } from './consent-rows';
import type { FhirReferral } from './referral-rows';

type FhirResourceType = 'DiagnosticReport' | 'ImagingStudy';
type FhirCaseResourceType = 'ServiceRequest' | 'Task';

export function auditFhirRead(context: AuditQueueContext, principal: Principal, input: { resourceType: FhirResourceType; id: string; study: FhirStudyRow; reportStatus?: string }): void {
  auditQueueFor(context).enqueue({
    actor: principal.email,
    actorUserId: principal.userId,
    action: 'fhir.read',
    outcome: 'SUCCESS',
    facilityId: input.study.facilityId,
    patientId: input.study.patient.patientId,
    studyUid: input.study.studyInstanceUid,
    resource: `GET /fhir/${input.resourceType}/${input.id}`,
    sourceIp: principal.ip,
    details: { resourceType: input.resourceType, ...(input.reportStatus ? { reportStatus: input.reportStatus } : {}) },
  });
}

export function auditFhirSearch(context: AuditQueueContext, principal: Principal, input: { resourceType: FhirResourceType; query: URLSearchParams; studies: readonly FhirStudyRow[]; results: number }): void {
  const params = Object.fromEntries(input.query);
  const groups = new Map<string, FhirStudyRow[]>();
  for (const study of input.studies) {
    const key = `${study.facilityId}\n${study.patient.patientId}`;
    groups.set(key, [...(groups.get(key) ?? []), study]);
  }
  const base = { actor: principal.email, actorUserId: principal.userId, action: 'fhir.search' as const, outcome: 'SUCCESS' as const, resource: `GET /fhir/${input.resourceType}`, sourceIp: principal.ip };
  if (groups.size === 0) {
    auditQueueFor(context).enqueue({ ...base, facilityId: null, patientId: null, studyUid: null, details: { resourceType: input.resourceType, params, results: 0 } });
    return;
  }
  for (const studies of groups.values()) {
    auditQueueFor(context).enqueue({
      ...base,
      facilityId: studies[0].facilityId,
      patientId: studies[0].patient.patientId,
      studyUid: studies.length === 1 ? studies[0].studyInstanceUid : null,
      details: { resourceType: input.resourceType, params, results: input.results, studies: studies.length },
    });
  }
}

function primaryUid(referral: FhirReferral): string | null {
  return (referral.studies.find((study) => study.primary) ?? referral.studies[0])?.studyInstanceUid ?? null;
}

export function auditFhirCaseRead(context: AuditQueueContext, principal: Principal, input: { resourceType: FhirCaseResourceType; referral: FhirReferral }): void {
  auditQueueFor(context).enqueue({
    actor: principal.email,
    actorUserId: principal.userId,
    action: 'fhir.read',
    outcome: 'SUCCESS',
    facilityId: input.referral.facilityId,
    patientId: input.referral.patientId,
    studyUid: primaryUid(input.referral),
    resource: `GET /fhir/${input.resourceType}/${input.referral.id}`,
    sourceIp: principal.ip,
    details: { resourceType: input.resourceType, referralStatus: input.referral.status },
  });
}

export function auditFhirCaseSearch(context: AuditQueueContext, principal: Principal, input: { resourceType: FhirCaseResourceType; query: URLSearchParams; referrals: readonly FhirReferral[]; total: number }): void {
  const params = Object.fromEntries(input.query);
  const groups = new Map<string, FhirReferral[]>();
  for (const referral of input.referrals) {
    const key = `${referral.facilityId}\n${referral.patientId}`;
    groups.set(key, [...(groups.get(key) ?? []), referral]);
  }
  const base = { actor: principal.email, actorUserId: principal.userId, action: 'fhir.search' as const, outcome: 'SUCCESS' as const, resource: `GET /fhir/${input.resourceType}`, sourceIp: principal.ip };
  if (groups.size === 0) {
    auditQueueFor(context).enqueue({ ...base, facilityId: null, patientId: null, studyUid: null, details: { resourceType: input.resourceType, params, results: 0, total: input.total } });
    return;
  }
  for (const referrals of groups.values()) {
    auditQueueFor(context).enqueue({
      ...base,
      facilityId: referrals[0].facilityId,
      patientId: referrals[0].patientId,
      studyUid: referrals.length === 1 ? primaryUid(referrals[0]) : null,
      details: { resourceType: input.resourceType, params, results: input.referrals.length, total: input.total, cases: referrals.map((referral) => referral.id) },
    });
  }
}

export function auditFhirConsentRead(context: AuditQueueContext, principal: Principal, consent: FhirConsent): void {
  auditQueueFor(context).enqueue({
    actor: principal.email,
    actorUserId: principal.userId,
    action: 'fhir.read',
    outcome: 'SUCCESS',
    facilityId: consent.facilityId,
    patientId: consent.patient.patientId,
    studyUid: null,
    resource: `GET /fhir/Consent/${consent.id}`,
    sourceIp: principal.ip,
    details: { resourceType: 'Consent', consentStatus: consent.status },
  });
}

export function auditFhirConsentSearch(context: AuditQueueContext, principal: Principal, input: { query: URLSearchParams; consents: readonly FhirConsent[] }): void {
  const params = Object.fromEntries(input.query);
  const groups = new Map<string, FhirConsent[]>();
  for (const consent of input.consents) {
    const key = `${consent.facilityId}\n${consent.patient.patientId}`;
    groups.set(key, [...(groups.get(key) ?? []), consent]);
  }
  const base = { actor: principal.email, actorUserId: principal.userId, action: 'fhir.search' as const, outcome: 'SUCCESS' as const, resource: 'GET /fhir/Consent', sourceIp: principal.ip, studyUid: null };
  if (groups.size === 0) {
    auditQueueFor(context).enqueue({ ...base, facilityId: null, patientId: null, details: { resourceType: 'Consent', params, results: 0 } });
    return;
  }
  for (const consents of groups.values()) {
    auditQueueFor(context).enqueue({
      ...base,
      facilityId: consents[0].facilityId,
      patientId: consents[0].patient.patientId,
      details: { resourceType: 'Consent', params, results: input.consents.length, consents: consents.map((consent) => consent.id) },
    });
  }
}
