// The audit row of a report change, built one way for every operation (each
// writes it with recordAudit inside the transaction of its change).
import type { AuditAction, AuditDetails } from '../audit/actions';
import { recordAudit, type AuditDatabase, type AuditEvent } from '../audit/record-audit';
import type { Principal } from '../policy/principal';

/** Every report action of the audit map (lib/audit/actions.ts) */
export type ReportAuditAction = Extract<AuditAction, `report.${string}`>;

type AuditedReport = { id: string; study: { facilityId: string; studyInstanceUid: string; patientId: string } };

export function recordReportAudit<A extends ReportAuditAction>(tx: AuditDatabase, principal: Principal, report: AuditedReport, action: A, details: AuditDetails<A>): Promise<void> {
  return recordAudit(tx, reportAuditEvent(principal, report, action, details));
}

/** The event, for the transaction of a change (recordReportAudit) or the read queue (get-report.ts) */
export function reportAuditEvent<A extends ReportAuditAction>(principal: Principal, report: AuditedReport, action: A, details: AuditDetails<A>): AuditEvent<A> {
  return {
    actor: principal.email,
    actorUserId: principal.userId,
    action,
    outcome: 'SUCCESS',
    facilityId: report.study.facilityId,
    patientId: report.study.patientId,
    studyUid: report.study.studyInstanceUid,
    resource: `report:${report.id}`,
    sourceIp: principal.ip,
    details,
  };
}
