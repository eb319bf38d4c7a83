// The host ends a session: from then on nobody can join it or change its
// annotations (they stay with the study, for the report and the SR export),
// and its read grants are revoked (lib/grants): an invited expert or a guest
// reads the study no more from the next request on. Audited (consult.end) in
// the same transaction as the change.
import { recordAudit } from '../audit/record-audit';
import type { Database } from '../../prisma/database';
import { revokeConsultationReads } from '../grants/consultation-grants';
import type { RevokedGrant } from '../grants/revoke-grants';
import { consultationForParticipant, type Actor } from './consultations';
import { ConsultError } from './errors';

export interface EndedConsultation {
  endedAt: Date;
  /** The grants this call revoked: after the commit, closeRevokedSockets closes what read through them */
  revoked: RevokedGrant[];
}

/** endedAt of the session; ending an ended session changes nothing and answers when it ended. */
export async function endConsultation(db: Database, actor: Actor, consultationId: string, now = new Date()): Promise<EndedConsultation> {
  const consultation = await consultationForParticipant(db, actor.userId, consultationId);
  if (consultation.role !== 'HOST') throw new ConsultError('FORBIDDEN', 'only the host ends the session');
  if (consultation.endedAt) return { endedAt: consultation.endedAt, revoked: [] };
  return db.$transaction(async (tx) => {
    const { count } = await tx.consultation.updateMany({ where: { id: consultation.id, endedAt: null }, data: { endedAt: now } });
    if (count === 0) {
      const { endedAt } = await tx.consultation.findUniqueOrThrow({ where: { id: consultation.id }, select: { endedAt: true } });
      return { endedAt: endedAt ?? now, revoked: [] };
    }
    const revoked = await revokeConsultationReads(tx, consultation.id, { revokedById: actor.userId, reason: 'teleconsultation ended' }, undefined, now);
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
    return { endedAt: now, revoked };
  });
}
