// A second-opinion case as an R4 Task (where the work is): the same id as its
// ServiceRequest (basedOn and focus), the status of the case mapped one to
// one (a closed case is completed with businessStatus "closed"), the owner
// (the expert who took it; before that the addressed service or the named
// expert), the due time as restriction.period.end, and once completed the
// signed report as output (DiagnosticReport/<reportId>).
import type { Task } from '@medplum/fhirtypes';
import type { ReferralStatus } from '../referrals/referral-states';
import type { FhirReferral } from './referral-rows';
import { addresseeReference, casePatient, FHIR_PRIORITY_OF, practitionerReference } from './service-request-resource';

export type TaskStatus = Task['status'];

export const TASK_STATUS_OF: Record<ReferralStatus, TaskStatus> = {
  DRAFT: 'draft',
  REQUESTED: 'requested',
  ACCEPTED: 'accepted',
  DECLINED: 'rejected',
  IN_PROGRESS: 'in-progress',
  ON_HOLD: 'on-hold',
  COMPLETED: 'completed',
  CLOSED: 'completed',
  CANCELLED: 'cancelled',
};

/** The case statuses a Task status stands for (completed: COMPLETED and CLOSED) */
export function referralStatusesOf(status: TaskStatus): ReferralStatus[] {
  return (Object.keys(TASK_STATUS_OF) as ReferralStatus[]).filter((key) => TASK_STATUS_OF[key] === status);
}

const DONE: readonly string[] = ['COMPLETED', 'CLOSED'];

export function taskResource(referral: FhirReferral): Task {
  const status = referral.status as ReferralStatus;
  const reason = referral.events[0];
  const reasonShown = reason?.reason && ((status === 'DECLINED' && reason.action === 'decline') || (status === 'CANCELLED' && reason.action === 'cancel'));
  const executionEnd = referral.completedAt ?? (status === 'CANCELLED' ? referral.updatedAt : null);
  return {
    resourceType: 'Task',
    id: referral.id,
    meta: { lastUpdated: referral.updatedAt.toISOString() },
    basedOn: [{ reference: `ServiceRequest/${referral.id}`, type: 'ServiceRequest' }],
    status: TASK_STATUS_OF[status] ?? 'draft',
    ...(status === 'CLOSED' ? { businessStatus: { text: 'closed' } } : {}),
    ...(reasonShown ? { statusReason: { text: reason.reason } } : {}),
    intent: 'order',
    priority: FHIR_PRIORITY_OF[referral.priority as keyof typeof FHIR_PRIORITY_OF] ?? 'routine',
    code: { text: 'Second opinion' },
    focus: { reference: `ServiceRequest/${referral.id}`, type: 'ServiceRequest' },
    for: casePatient(referral),
    ...(referral.requestedAt ? { executionPeriod: { start: referral.requestedAt.toISOString(), ...(executionEnd ? { end: executionEnd.toISOString() } : {}) } } : {}),
    authoredOn: referral.createdAt.toISOString(),
    lastModified: referral.updatedAt.toISOString(),
    requester: practitionerReference(referral.requester),
    owner: referral.owner ? practitionerReference(referral.owner) : addresseeReference(referral),
    ...(referral.dueAt ? { restriction: { period: { end: referral.dueAt.toISOString() } } } : {}),
    ...(DONE.includes(status) && referral.reportId
      ? { output: [{ type: { text: 'Report' }, valueReference: { reference: `DiagnosticReport/${referral.reportId}`, type: 'DiagnosticReport' } }] }
      : {}),
  };
}
