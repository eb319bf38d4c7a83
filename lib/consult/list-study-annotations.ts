// The annotations of one study copy that a user may see: those of the
// teleconsultations on that copy they took part in (not the deleted ones),
// oldest session first — what the report editor offers to carry into a key
// image. Each session goes through consultationForParticipant, the one rule
// of who sees a session, so nobody sees the measurements of a session they
// were not in, even in their own facility.
import type { CollabAnnotation } from '../collab/protocol';
import type { Database } from '../../prisma/database';
import { consultationForParticipant } from './consultations';
import { listAnnotations } from './list-annotations';

export async function listStudyAnnotations(db: Database, userId: string, study: { facilityId: string; studyInstanceUid: string }): Promise<CollabAnnotation[]> {
  const sessions = await db.consultation.findMany({
    where: { facilityId: study.facilityId, studyInstanceUid: study.studyInstanceUid, participants: { some: { userId } } },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: { id: true },
  });
  const annotations: CollabAnnotation[] = [];
  for (const session of sessions) annotations.push(...(await listAnnotations(db, await consultationForParticipant(db, userId, session.id))));
  return annotations;
}
