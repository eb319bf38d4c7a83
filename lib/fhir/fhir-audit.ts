// FHIR reads are reads of patient data: audited like the portal's and the
// archive's reads, through the journalled audit queue (lib/audit/audit-queue.ts:
// durable before the answer, written in a group commit). A search leaves one
// event per patient of a facility it returned (each facility sees its own),
// or one event when it found nothing.
import { auditQueueFor, type AuditQueueContext } from '../audit/audit-queue';
import type { Principal } from '../policy/principal';
import type { FhirStudyRow } from './find-readable-studies';

type FhirResourceType = 'DiagnosticReport' | 'ImagingStudy';

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
