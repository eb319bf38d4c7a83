// The audit row of a case's change or read, built one way for every operation.
// The requesting facility owns the patient's data: its administrators see the rows. A case
// received from another node (issue 19) has its requesting facility there: here the rows go
// to the facility of its addressee, which holds the studies' copies it was sent.
import type { AuditAction, AuditDetails } from '../audit/actions';
import { recordAudit, type AuditDatabase, type AuditEvent } from '../audit/record-audit';
import type { Principal } from '../policy/principal';
import { primaryStudyOf, type ReferralRow } from './load-referral';

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

/** The case as its audit rows name it (see above for the facility). */
export function auditedReferral(referral: Pick<ReferralRow, 'id' | 'facilityId' | 'targetFacilityId' | 'peerId' | 'patientId' | 'studies'>): AuditedReferral {
  return { id: referral.id, facilityId: referral.peerId ? referral.targetFacilityId : referral.facilityId, patientId: referral.patientId, studyInstanceUid: primaryStudyOf(referral)?.studyInstanceUid ?? null };
}
