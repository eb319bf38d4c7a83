// For a workflow that shares on the basis of an emergency override (referral
// create, teleconsultation invite): the override named in the request must be
// the caller's own, still running, and cover the patient whose study is shared
// (the person's linked records count). Anyone else's override, or an ended one,
// is NOT_FOUND, like an override that does not exist. The share itself locks the
// override again (lib/policy/share-basis.ts), so an end racing it is safe.
import type { Database } from '../../prisma/database';
import { PolicyError } from '../policy/errors';
import { personRecordRefs } from '../policy/share-basis';

export async function assertOverrideUsableBy(db: Pick<Database, 'emergencyOverride' | 'patientLink'>, overrideId: string, userId: string, patientRef: string, now = new Date()): Promise<{ id: string; endsAt: Date }> {
  const records = await personRecordRefs(db, patientRef);
  const override = await db.emergencyOverride.findFirst({
    where: { id: overrideId, userId, endedAt: null, endsAt: { gt: now }, patientRef: { in: records } },
    select: { id: true, endsAt: true },
  });
  if (!override) throw new PolicyError('NOT_FOUND', 'emergency override not found, not yours, ended, or for another patient');
  return override;
}
