// Revoking a consent (with a reason), or marking it entered in error: it stops
// counting at once, and every grant resting on it ends in the same transaction
// (reassess-consent-grants.ts), even one another permit would cover: a grant is
// never moved onto another consent behind the patient's back (a new share rests
// on that one); after the commit the
// grantees' open sockets for those studies close and the cases' parties are told.
// The grantee's next request gets NOT_FOUND (the archive joins the grants table
// on every request). Row lock: the revocation updates the consent row that a
// racing share locks (lib/policy/share-basis.ts), so the share either fails or
// its grant is found here and ended.
import { z } from 'zod';
import { parseInput } from '../admin/errors';
import { recordAudit } from '../audit/record-audit';
import { DomainError } from '../errors';
import { authorizeConsentChange } from '../policy/consent-access';
import { afterReassessment, reassessConsentGrants, type ConsentContext, type Reassessment } from './reassess-consent-grants';
import type { ConsentActor } from './record-consent';

export const ZRevokeConsent = z
  .object({
    reason: z.string({ error: 'Give the reason' }).trim().min(1, 'Give the reason').max(1000, 'Use at most 1000 characters'),
    /** inactive: revoked by the patient; entered-in-error: recorded by mistake */
    status: z.enum(['inactive', 'entered-in-error']).default('inactive'),
  })
  .strict();

export interface RevokedConsent {
  id: string;
  status: string;
  grantsEnded: number;
  socketsClosed: number;
}

export async function revokeConsent(context: ConsentContext, actor: ConsentActor, consentId: string, input: unknown, now = new Date()): Promise<RevokedConsent> {
  const { db } = context;
  await authorizeConsentChange(db, actor.userId, consentId);
  const { reason, status } = parseInput(ZRevokeConsent, input);
  let reassessment: Reassessment = { revoked: [] };
  const consent = await db.$transaction(async (tx) => {
    const changed = await tx.consent.updateMany({ where: { id: consentId, status: 'active' }, data: { status, revokedAt: now, revokedById: actor.userId, revokeReason: reason } });
    const row = await tx.consent.findUniqueOrThrow({ where: { id: consentId }, select: { id: true, patientRef: true, facilityId: true, decision: true, status: true, patient: { select: { patientId: true } } } });
    if (changed.count !== 1) throw new DomainError('CONFLICT', `consent ${consentId} is ${row.status} already`, { userMessage: 'This consent was already revoked or marked as entered in error.' });
    reassessment = await reassessConsentGrants(tx, { patientRef: row.patientRef, revokedById: actor.userId, reason: status === 'inactive' ? 'the patient revoked their consent' : 'the consent was entered in error' }, now);
    await recordAudit(tx, {
      actor: actor.email,
      actorUserId: actor.userId,
      action: 'consent.revoke',
      outcome: 'SUCCESS',
      facilityId: row.facilityId,
      patientId: row.patient.patientId,
      sourceIp: actor.ip,
      resource: `consents/${consentId}`,
      details: { consentId, decision: row.decision, reason, grantsEnded: reassessment.revoked.length },
    });
    return row;
  });
  const socketsClosed = await afterReassessment(context, reassessment, consent.status === 'inactive' ? 'The patient revoked their consent' : 'The consent was entered in error');
  return { id: consentId, status: consent.status, grantsEnded: reassessment.revoked.length, socketsClosed };
}
