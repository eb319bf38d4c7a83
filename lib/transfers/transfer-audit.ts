// The audit rows of a notice's changes and reads, built one way for every operation:
// one row for the sending facility (whose patient data it is: with the patient ID and
// study), and one for the receiving facility (its team's actions, without the other
// facility's MRN), so each facility's administrators see their side in their own log.
import type { AuditAction, AuditDetails } from '../audit/actions';
import { recordAudit, type AuditDatabase } from '../audit/record-audit';
import type { Principal } from '../policy/principal';

export type TransferAuditAction = Extract<AuditAction, `transfer.${string}`>;

export interface AuditedTransfer {
  id: string;
  sendingFacilityId: string;
  targetFacilityId: string;
  patientId: string;
  /** The first study sent, when there is one */
  studyInstanceUid?: string | null;
  /** Another receiving facility whose team acted (a redirect to another facility: the one it left) */
  formerTargetFacilityId?: string;
}

/** principal null: the system (the escalation job) */
export async function recordTransferAudit<A extends TransferAuditAction>(tx: AuditDatabase, principal: Principal | null, notice: AuditedTransfer, action: A, details: AuditDetails<A>): Promise<void> {
  const facilities = [...new Set([notice.sendingFacilityId, notice.targetFacilityId, ...(notice.formerTargetFacilityId ? [notice.formerTargetFacilityId] : [])])];
  for (const facilityId of facilities) {
    const own = facilityId === notice.sendingFacilityId;
    await recordAudit(tx, {
      actor: principal?.email ?? 'system',
      actorUserId: principal?.userId ?? null,
      action,
      outcome: 'SUCCESS',
      facilityId,
      patientId: own ? notice.patientId || null : null,
      studyUid: own ? (notice.studyInstanceUid ?? null) : null,
      resource: `transfer:${notice.id}`,
      sourceIp: principal?.ip,
      details,
    });
  }
}
