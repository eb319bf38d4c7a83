// The doors into a teleconsultation — its page, GET /api/consultations/{id},
// the /consult socket's JOIN — all come through here: a participant gets the
// session, anyone else NOT_FOUND exactly as for an id that does not exist,
// and the refused attempt is recorded for the consultation's facility
// (lib/audit/record-refused-attempt.ts).
import type { AuditAction } from '../audit/actions';
import { recordRefusedAttempt, type RefusalContext } from '../audit/record-refused-attempt';
import { isPolicyError } from '../policy';
import type { Database } from '../../prisma/database';
import { consultationForParticipant, type Actor, type ConsultationView } from './consultations';

export type ConsultationDoor = 'page' | 'api' | 'socket';

const ACTION: Record<ConsultationDoor, AuditAction> = {
  page: 'portal.consultation',
  api: 'portal.consultation',
  socket: 'consult.join',
};

export async function enterConsultation(
  context: RefusalContext & { db: Database },
  actor: Actor,
  consultationId: string,
  door: ConsultationDoor,
): Promise<ConsultationView> {
  try {
    return await consultationForParticipant(context.db, actor.userId, consultationId);
  } catch (error) {
    if (isPolicyError(error)) {
      await recordRefusedAttempt(context, {
        actor: actor.email,
        actorUserId: actor.userId,
        sourceIp: actor.ip,
        action: ACTION[door],
        target: { kind: 'consultation', id: consultationId },
        resource: door === 'socket' ? `/consult join ${consultationId}` : `consultations/${consultationId}`,
        details: { via: door },
      });
    }
    throw error;
  }
}
