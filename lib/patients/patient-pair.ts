// What linking and unlinking share: the two records, the access check, and
// one audit row per facility whose record changed group (each facility's
// privacy officer sees it in their own audit view).
import { recordAudit, type AuditDatabase } from '../audit/record-audit';
import type { AdminActor, AdminContext } from '../admin/context';
import { AdminError } from '../admin/errors';
import { PolicyError } from '../policy/errors';
import { authorizePatientLinking } from '../policy/patient-linking';

export interface PairRecord {
  id: string;
  facilityId: string;
  /** MRN (0010,0020), for the audit trail */
  patientId: string;
}

/**
 * The page's record and the other one, once the actor may change both:
 * NOT_FOUND for a missing record and for anyone who does not administer
 * both facilities (lib/policy/patient-linking.ts).
 */
export async function authorizedPair(context: AdminContext, actor: AdminActor, patientId: string, otherPatientId: string): Promise<[PairRecord, PairRecord]> {
  if (patientId === otherPatientId) {
    throw new AdminError('INVALID_INPUT', 'A record cannot be linked to or unlinked from itself.', { otherPatientId: 'Choose another record.' });
  }
  const rows = await context.db.patient.findMany({ where: { id: { in: [patientId, otherPatientId] } }, select: { id: true, facilityId: true, patientId: true } });
  const record = rows.find((row) => row.id === patientId);
  const other = rows.find((row) => row.id === otherPatientId);
  if (!record || !other) throw new PolicyError('NOT_FOUND', 'patient not found');
  await authorizePatientLinking(context.db, actor.userId, [record.facilityId, other.facilityId]);
  return [record, other];
}

/** One audit row per facility of the pair (one when both records are in one facility). */
export async function auditPair(
  tx: AuditDatabase,
  context: AdminContext,
  actor: AdminActor,
  action: 'admin.patient.link' | 'admin.patient.unlink',
  pair: readonly [PairRecord, PairRecord],
  details: Record<string, unknown>,
): Promise<void> {
  const [record, other] = pair;
  const sides = record.facilityId === other.facilityId ? [[record, other]] : [[record, other], [other, record]];
  for (const [own, counterpart] of sides) {
    await recordAudit(tx, {
        actor: actor.email,
        actorUserId: actor.userId,
        action,
        outcome: 'SUCCESS',
        facilityId: own.facilityId,
        patientId: own.patientId,
        sourceIp: actor.ip,
        resource: `patients/${own.id}`,
        details: { ...details, otherRecord: counterpart.id, otherFacilityId: counterpart.facilityId, otherPatientId: counterpart.patientId },
      });
  }
}
