// The audit row of a report change, built one way for every operation (each
// writes it with recordAudit inside the transaction of its change).
import type { AuditDetails } from '../audit/actions';
import { recordAudit, type AuditDatabase } from '../audit/record-audit';
import type { Principal } from '../policy/principal';

export type ReportAuditAction = 'report.create' | 'report.save' | 'report.preliminary' | 'report.sign' | 'report.amend' | 'report.addendum' | 'report.view';

export function recordReportAudit<A extends ReportAuditAction>(
  tx: AuditDatabase,
  principal: Principal,
  report: { id: string; study: { facilityId: string; studyInstanceUid: string; patientId: string } },
  action: A,
  details: AuditDetails<A>,
): Promise<void> {
  return recordAudit(tx, {
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
  });
}
