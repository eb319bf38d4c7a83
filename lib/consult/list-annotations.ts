// The annotations of a session as every participant shows them (not the
// deleted ones), for a late joiner's JOIN and for the session page.
import type { CollabAnnotation } from '../collab/protocol';
import type { Database } from '../../prisma/database';
import { toCollabAnnotation } from './annotation.types';
import type { ConsultationView } from './consultations';

/** `consultation` comes from consultationForParticipant: holding it is the proof the caller may read the session. */
export async function listAnnotations(db: Database, consultation: Pick<ConsultationView, 'id' | 'participants'>): Promise<CollabAnnotation[]> {
  const rows = await db.consultationAnnotation.findMany({
    where: { consultationId: consultation.id, deletedAt: null },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: {
      id: true,
      authorUserId: true,
      toolName: true,
      studyInstanceUid: true,
      seriesInstanceUid: true,
      sopInstanceUid: true,
      frameNumber: true,
      frameOfReferenceUid: true,
      geometry: true,
      version: true,
      updatedAt: true,
      author: { select: { name: true } },
    },
  });
  const colors = new Map(consultation.participants.map((participant) => [participant.userId, participant.color]));
  return rows.map((row) => toCollabAnnotation(row, { name: row.author.name, color: colors.get(row.authorUserId) ?? '' }));
}
