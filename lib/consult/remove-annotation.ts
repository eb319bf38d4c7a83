// Deletes an annotation of a live session: its author, or the host (who runs
// the session and may clear a mistaken or misplaced measurement). The row
// stays with deletedAt set and its version raised by one, so receivers that
// keep the highest version apply the removal once, and an edit still in
// flight cannot bring it back (upsert-annotation.ts). Audited
// (consult.annotation.delete) in the same transaction.
import { recordAudit } from '../audit/record-audit';
import type { Database } from '../../prisma/database';
import { ZAnnotationUid } from './annotation.types';
import type { Actor } from './consultations';
import { ConsultError } from './errors';
import { liveConsultationFor } from './live-consultation';

export interface AnnotationRemoval {
  uid: string;
  /** The version the removal carries (the last edit's + 1) */
  version: number;
  /** false: it was already deleted (a repeated request is answered the same, and changes nothing) */
  removed: boolean;
}

export async function removeAnnotation(db: Database, actor: Actor, consultationId: string, uidInput: unknown, now = new Date()): Promise<AnnotationRemoval> {
  const consultation = await liveConsultationFor(db, actor.userId, consultationId);
  const parsedUid = ZAnnotationUid.safeParse(uidInput);
  if (!parsedUid.success) throw new ConsultError('BAD_REQUEST', 'not an annotation id');
  const uid = parsedUid.data;
  const stored = await db.consultationAnnotation.findUnique({
    where: { id: uid },
    select: { consultationId: true, authorUserId: true, toolName: true, version: true, deletedAt: true },
  });
  if (!stored || stored.consultationId !== consultation.id) throw new ConsultError('NOT_FOUND', 'no such annotation in this session');
  if (stored.deletedAt) return { uid, version: stored.version, removed: false };
  if (stored.authorUserId !== actor.userId && consultation.role !== 'HOST') throw new ConsultError('FORBIDDEN', 'only the author or the host deletes an annotation');

  return db.$transaction(async (tx) => {
    const { count } = await tx.consultationAnnotation.updateMany({
      where: { id: uid, deletedAt: null },
      data: { deletedAt: now, updatedAt: now, version: { increment: 1 } },
    });
    const { version } = await tx.consultationAnnotation.findUniqueOrThrow({ where: { id: uid }, select: { version: true } });
    // Deleted by someone else between the read and this write: theirs is the removal.
    if (count === 0) return { uid, version, removed: false };
    await recordAudit(tx, {
      actor: actor.email,
      actorUserId: actor.userId,
      action: 'consult.annotation.delete',
      outcome: 'SUCCESS',
      facilityId: consultation.facilityId,
      studyUid: consultation.studyInstanceUid,
      sourceIp: actor.ip,
      resource: `consultations/${consultation.id}`,
      details: { annotationUid: uid, tool: stored.toolName, authorUserId: stored.authorUserId },
    });
    return { uid, version, removed: true };
  });
}
