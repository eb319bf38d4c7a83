// The audit row of a case's change or read, built one way for every operation.
// The requesting facility owns the patient's data: its administrators see the rows.
import type { AuditAction, AuditDetails } from '../audit/actions';
import { recordAudit, type AuditDatabase, type AuditEvent } from '../audit/record-audit';
import type { Principal } from '../policy/principal';

export type ReferralAuditAction = Extract<AuditAction, `referral.${string}`>;

export interface AuditedReferral {
  id: string;
  facilityId: string;
  patientId: string;
  /** The primary study, when there is one */
  studyInstanceUid?: string | null;
}

/** principal null: the system (a signed report's completion is the signer's; the escalation job is the system's) */
export function referralAuditEvent<A extends ReferralAuditAction>(principal: Principal | null, referral: AuditedReferral, action: A, details: AuditDetails<A>): AuditEvent<A> {
  return {
    actor: principal?.email ?? 'system',
    actorUserId: principal?.userId ?? null,
    action,
    outcome: 'SUCCESS',
    facilityId: referral.facilityId,
    patientId: referral.patientId,
    studyUid: referral.studyInstanceUid ?? null,
    resource: `referral:${referral.id}`,
    sourceIp: principal?.ip,
    details,
  };
}

export function recordReferralAudit<A extends ReferralAuditAction>(tx: AuditDatabase, principal: Principal | null, referral: AuditedReferral, action: A, details: AuditDetails<A>): Promise<void> {
  return recordAudit(tx, referralAuditEvent(principal, referral, action, details));
}
