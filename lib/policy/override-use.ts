// A workflow (a second-opinion case, a teleconsultation) that shares on an emergency
// override instead of consent names the override it rests on: it must be the
// caller's own, running, and for this patient (any record of the person). Someone
// else's override, or an unknown id, is NOT_FOUND; an ended one is a clear refusal.
// The grants then carry it (lib/policy/share-basis.ts) and end with it.
import type { Database } from '../../prisma/database';
import { DomainError } from '../errors';
import { PolicyError } from './errors';
import { personRecordRefs } from './share-basis';

export async function assertOwnOverride(tx: Pick<Database, 'emergencyOverride' | 'patientLink'>, overrideId: string, userId: string, patientRef: string | null, now = new Date()): Promise<string> {
  const override = await tx.emergencyOverride.findUnique({ where: { id: overrideId }, select: { id: true, userId: true, patientRef: true, endedAt: true, endsAt: true } });
  if (!override || override.userId !== userId || !patientRef || !(await personRecordRefs(tx, patientRef)).includes(override.patientRef)) throw new PolicyError('NOT_FOUND', 'emergency override not found');
  if (override.endedAt || override.endsAt <= now) throw new DomainError('CONFLICT', `emergency override ${overrideId} has ended`, { userMessage: 'Your emergency override has ended. Record the patient’s consent, or open a new emergency override.' });
  return override.id;
}
