// The override's start, stop and review in the audit trail, once per facility
// it concerns (lib/policy/override-access.ts facilitiesOfOverride), so each
// facility's administrators and privacy officer see it in their own log.
// Start and stop are DICOM Security Alert events (110113) whose event type
// code says which (PS3.15 A.5.3.11: DCM 110127 Emergency Override Started,
// 110138 Emergency Override Stopped); the type goes in the details.
import type { AuditDetails } from '../audit/actions';
import { recordAudit, type AuditDatabase } from '../audit/record-audit';

export const EMERGENCY_OVERRIDE_STARTED = '110127';
export const EMERGENCY_OVERRIDE_STOPPED = '110138';

export interface AuditedOverride {
  id: string;
  patientId: string;
  patientFacilityId: string;
  reasonCode: string;
  reasonText: string;
  endsAt: Date;
}

type OverrideAction = 'override.start' | 'override.stop' | 'override.review';

/** Writes the event in the change's transaction for each facility; actor null = the system (the expiry job). */
export async function recordOverrideAudit<A extends OverrideAction>(
  tx: AuditDatabase,
  actor: { userId: string; email: string; ip: string } | null,
  override: AuditedOverride,
  facilityIds: readonly string[],
  action: A,
  details: AuditDetails<A>,
): Promise<void> {
  for (const facilityId of facilityIds) {
    await recordAudit(tx, {
      action,
      outcome: 'SUCCESS',
      actor: actor?.email ?? 'system',
      actorUserId: actor?.userId ?? null,
      sourceIp: actor?.ip ?? '',
      facilityId,
      // The MRN is the patient record's facility's; another facility's row names no patient ID of theirs
      patientId: facilityId === override.patientFacilityId ? override.patientId : null,
      resource: `emergency-override:${override.id}`,
      details: { overrideId: override.id, reasonCode: override.reasonCode, reason: override.reasonText, endsAt: override.endsAt.toISOString(), patientFacilityId: override.patientFacilityId, ...details },
    });
  }
}
