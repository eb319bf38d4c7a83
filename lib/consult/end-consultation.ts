// The host ends a session: from then on nobody can join it or change its
// annotations (they stay with the study, for the report and the SR export).
// Audited (consult.end) in the same transaction as the change.
import { recordAudit } from '../audit/record-audit';
import type { Database } from '../../prisma/database';
import { consultationForParticipant, type Actor } from './consultations';
import { ConsultError } from './errors';

/** endedAt of the session; ending an ended session changes nothing and answers when it ended. */
export async function endConsultation(db: Database, actor: Actor, consultationId: string, now = new Date()): Promise<{ endedAt: Date }> {
  const consultation = await consultationForParticipant(db, actor.userId, consultationId);
  if (consultation.role !== 'HOST') throw new ConsultError('FORBIDDEN', 'only the host ends the session');
  if (consultation.endedAt) return { endedAt: consultation.endedAt };
  return db.$transaction(async (tx) => {
    const { count } = await tx.consultation.updateMany({ where: { id: consultation.id, endedAt: null }, data: { endedAt: now } });
    if (count === 0) {
      const { endedAt } = await tx.consultation.findUniqueOrThrow({ where: { id: consultation.id }, select: { endedAt: true } });
      return { endedAt: endedAt ?? now };
    }
    await recordAudit(tx, {
      actor: actor.email,
      actorUserId: actor.userId,
      action: 'consult.end',
      outcome: 'SUCCESS',
      facilityId: consultation.facilityId,
      studyUid: consultation.studyInstanceUid,
      sourceIp: actor.ip,
      resource: `consultations/${consultation.id}`,
    });
    return { endedAt: now };
  });
}
