import type { Database } from '../../prisma/database';
import { consultationForParticipant, type ConsultationView } from './consultations';
import { ConsultError } from './errors';

/** The session for one of its participants (NOT_FOUND for anyone else), refused once ended: an ended session is read-only. */
export async function liveConsultationFor(db: Database, userId: string, consultationId: string): Promise<ConsultationView> {
  const consultation = await consultationForParticipant(db, userId, consultationId);
  if (consultation.endedAt) throw new ConsultError('CONFLICT', 'the session has ended');
  return consultation;
}
