// Creates or changes an annotation of a live session. Rules:
// - only a participant of a session that has not ended (outsiders: NOT_FOUND);
// - the annotation is on the session's study;
// - only its author changes it (FORBIDDEN for anyone else: a colleague's
//   measurement must not silently become yours);
// - a change is kept only if its version is higher than the stored one, so a
//   message that arrives late (or twice) cannot undo a newer one (CONFLICT);
// - a deleted annotation stays deleted: its row keeps deletedAt, and an edit
//   that was in flight during the deletion is refused (CONFLICT).
// Creation is audited (consult.annotation.create) in the same transaction;
// edits are not, one row per drag of a handle would drown the audit trail.
import type { CollabAnnotation } from '../collab/protocol';
import { recordAudit } from '../audit/record-audit';
import type { Database } from '../../prisma/database';
import { MAX_GEOMETRY_BYTES, ZCollabAnnotationInput, geometryOf, toCollabAnnotation, type TCollabAnnotationInput } from './annotation.types';
import type { Actor, ConsultationView } from './consultations';
import { ConsultError } from './errors';
import { liveConsultationFor } from './live-consultation';

export async function upsertAnnotation(db: Database, actor: Actor, consultationId: string, input: unknown, now = new Date()): Promise<CollabAnnotation> {
  const consultation = await liveConsultationFor(db, actor.userId, consultationId);
  const parsed = ZCollabAnnotationInput.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConsultError('BAD_REQUEST', `annotation ${issue.path.join('.')}: ${issue.message}`);
  }
  const annotation = parsed.data;
  if (annotation.ref.studyInstanceUid !== consultation.studyInstanceUid) throw new ConsultError('BAD_REQUEST', 'the annotation is not on the study of this session');
  const geometry = JSON.stringify(geometryOf(annotation));
  if (Buffer.byteLength(geometry) > MAX_GEOMETRY_BYTES) throw new ConsultError('BAD_REQUEST', `the annotation's geometry is larger than ${MAX_GEOMETRY_BYTES} bytes`);
  const author = consultation.participants.find((participant) => participant.userId === actor.userId);
  const shown = { name: author?.name ?? '', color: author?.color ?? '' };

  // Two upserts of a new uid can race (the author's create and first edit); the
  // loser of the insert finds the row on its second pass and becomes an edit.
  for (let attempt = 1; ; attempt++) {
    const stored = await db.consultationAnnotation.findUnique({
      where: { id: annotation.uid },
      select: { consultationId: true, authorUserId: true, toolName: true, version: true, deletedAt: true },
    });
    if (!stored) {
      try {
        return await createAnnotation(db, actor, consultation, annotation, geometry, shown, now);
      } catch (error) {
        if (attempt === 1 && isUniqueViolation(error)) continue;
        throw error;
      }
    }
    // A client's UUID colliding with another session's annotation: nothing to learn from, nothing to change.
    if (stored.consultationId !== consultation.id) throw new ConsultError('CONFLICT', 'this annotation id is taken; draw the annotation again');
    if (stored.authorUserId !== actor.userId) throw new ConsultError('FORBIDDEN', 'only the author changes an annotation');
    if (stored.deletedAt) throw new ConsultError('CONFLICT', 'the annotation was deleted');
    if (stored.toolName !== annotation.tool) throw new ConsultError('BAD_REQUEST', 'an annotation keeps its tool');
    if (annotation.version <= stored.version) throw new ConsultError('CONFLICT', `version ${annotation.version} is not newer than the stored version ${stored.version}`);
    // The same conditions again in the write: a deletion or a newer edit may have landed since the read.
    const { count } = await db.consultationAnnotation.updateMany({
      where: { id: annotation.uid, consultationId: consultation.id, authorUserId: actor.userId, deletedAt: null, version: { lt: annotation.version } },
      data: { ...refColumns(annotation), geometry, version: annotation.version, updatedAt: now },
    });
    if (count === 0) throw new ConsultError('CONFLICT', 'the annotation was changed or deleted meanwhile');
    return toCollabAnnotation(rowOf(annotation, geometry, actor.userId, now), shown);
  }
}

async function createAnnotation(
  db: Database,
  actor: Actor,
  consultation: ConsultationView,
  annotation: TCollabAnnotationInput,
  geometry: string,
  shown: { name: string; color: string },
  now: Date,
): Promise<CollabAnnotation> {
  await db.$transaction(async (tx) => {
    await tx.consultationAnnotation.create({
      data: {
        id: annotation.uid,
        consultationId: consultation.id,
        authorUserId: actor.userId,
        toolName: annotation.tool,
        ...refColumns(annotation),
        geometry,
        version: annotation.version,
        createdAt: now,
        updatedAt: now,
      },
    });
    await recordAudit(tx, {
      actor: actor.email,
      actorUserId: actor.userId,
      action: 'consult.annotation.create',
      outcome: 'SUCCESS',
      facilityId: consultation.facilityId,
      studyUid: consultation.studyInstanceUid,
      sourceIp: actor.ip,
      resource: `consultations/${consultation.id}`,
      details: { annotationUid: annotation.uid, tool: annotation.tool, seriesInstanceUid: annotation.ref.seriesInstanceUid, sopInstanceUid: annotation.ref.sopInstanceUid },
    });
  });
  return toCollabAnnotation(rowOf(annotation, geometry, actor.userId, now), shown);
}

function refColumns(annotation: TCollabAnnotationInput) {
  const { studyInstanceUid, seriesInstanceUid, sopInstanceUid, frameNumber, frameOfReferenceUid } = annotation.ref;
  return { studyInstanceUid, seriesInstanceUid, sopInstanceUid, frameNumber, frameOfReferenceUid };
}

function rowOf(annotation: TCollabAnnotationInput, geometry: string, authorUserId: string, now: Date) {
  return {
    id: annotation.uid,
    authorUserId,
    toolName: annotation.tool,
    ...refColumns(annotation),
    geometry,
    version: annotation.version,
    updatedAt: now,
  };
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'P2002';
}
