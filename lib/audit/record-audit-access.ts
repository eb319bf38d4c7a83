// Reading the audit trail is itself audited: who looked at (or exported)
// which facility's log, with which filters, from where.
import { auditQueueFor, type AuditQueueContext } from './audit-queue';
import type { AuditQuery } from './audit-query';

export type AuditAccessAction = 'audit.view' | 'audit.export';

export function recordAuditAccess(
  context: AuditQueueContext,
  input: {
    action: AuditAccessAction;
    viewer: { id: string; email: string };
    query: AuditQuery;
    sourceIp: string;
    resource: string;
    results: number;
  },
): void {
  const filters = Object.fromEntries(Object.entries(input.query.values).filter(([, value]) => value !== ''));
  // One event per facility in view, so that each facility's administrators
  // see in their own log that it was read.
  for (const facility of input.query.facilities) {
    auditQueueFor(context).enqueue({
      actor: input.viewer.email,
      actorUserId: input.viewer.id,
      action: input.action,
      outcome: 'SUCCESS',
      facilityId: facility.id,
      // A view filtered on one patient or study is an access to that patient's trail.
      patientId: input.query.values.patientId || null,
      studyUid: input.query.values.studyUid || null,
      resource: input.resource,
      sourceIp: input.sourceIp,
      details: { filters, results: input.results, ...(input.action === 'audit.view' ? { page: input.query.page } : {}) },
    });
  }
}
