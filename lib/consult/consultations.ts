// Teleconsultation sessions (issue 5, first step): started on a study by
// someone who may read it, with colleagues invited by name or e-mail; persisted with
// who was invited and who came when. Only participants can see a session:
// anyone else gets NOT_FOUND, with or without its id.
//
// Invitees may belong to any facility of this node: inviting a remote expert
// to look at this one study is what a teleconsultation is for. The consent
// rules of the consent issue will be checked here, at invitation, in one place.
import { z } from 'zod';
import { recordAudit } from '../audit/record-audit';
import { AdminError, parseInput } from '../admin/errors';
import { authorizeStudyAccess, readScopeFor, withoutStudyGrants } from '../policy';
import { PolicyError } from '../policy/errors';
import { assertOwnOverride } from '../policy/override-use';
import { grantConsultationReads } from '../grants/consultation-grants';
import { inInvitationOrder, participantColors } from './participant-order';
import { resolveInvitees } from './resolve-invitees';
import type { Database } from '../../prisma/database';

/** The referring doctor and the expert, and up to four more colleagues (the issue). */
export const MAX_INVITEES = 5;

export const ZStartConsultation = z.object({
  studyInstanceUid: z.string().trim().min(1, 'Choose a study').max(64, 'Not a study UID'),
  title: z.string().trim().max(200, 'Use at most 200 characters').default(''),
  invitees: z
    // Each an e-mail, a user id (a suggestion picked in the form) or a colleague's name (resolve-invitees.ts)
    .array(z.string().trim().min(1, 'Name a colleague').max(320, 'Use at most 320 characters'))
    .min(1, 'Invite at least one colleague')
    .max(MAX_INVITEES, `At most ${MAX_INVITEES} colleagues`),
  /** The host's running emergency override for this patient, when the patient's consent is missing (issue 16) */
  overrideId: z.string().trim().min(1).max(64).nullish(),
});

export interface Actor {
  userId: string;
  email: string;
  ip: string;
}

export async function startConsultation({ db }: { db: Database }, actor: Actor, input: unknown): Promise<{ id: string }> {
  const { studyInstanceUid, title, invitees, overrideId } = parseInput(ZStartConsultation, input);
  // Only members of the study's facility start one: a consultation's own grant
  // (an invited expert, a guest — who has no facility at all) lets them look, not share further.
  const study = await authorizeStudyAccess(db, withoutStudyGrants(await readScopeFor(db, actor.userId)), studyInstanceUid);
  const invited = await resolveInvitees(db, actor.userId, invitees);
  if (!invited.length) throw new AdminError('INVALID_INPUT', 'Invite at least one colleague other than yourself.', { invitees: 'Invite at least one colleague other than yourself' });
  const patientRef = overrideId ? ((await db.study.findUnique({ where: { id: study.id }, select: { patientRef: true } }))?.patientRef ?? null) : null;
  const override = overrideId ? await assertOwnOverride(db, overrideId, actor.userId, patientRef) : null;
  return openConsultation({ db }, actor, study, invited, title, null, override);
}

/**
 * Writes a consultation the caller decided may start (startConsultation, or a
 * second-opinion case for its parties: lib/referrals/start-case-consultation.ts):
 * the session, its participants, their read grants and the audit row, in one transaction.
 */
export async function openConsultation(
  { db }: { db: Database },
  actor: Actor,
  study: { id: string; facilityId: string; studyInstanceUid: string; patientId: string },
  invited: readonly { id: string; email: string }[],
  title: string,
  referralId: string | null,
  /** The emergency override its invitations rest on, when the patient's consent is missing */
  overrideId: string | null = null,
): Promise<{ id: string }> {
  const { studyInstanceUid } = study;
  // The invitation order is each participant's colour (participant-order.ts): the invitees in
  // the order they were typed, one millisecond apart, since neither findMany nor the ids keep it.
  const invitedAt = Date.now();
  return db.$transaction(async (tx) => {
    const consultation = await tx.consultation.create({
      data: {
        facilityId: study.facilityId,
        studyInstanceUid,
        title,
        createdById: actor.userId,
        referralId,
        overrideId,
        participants: {
          create: [
            { userId: actor.userId, role: 'HOST', invitedAt: new Date(invitedAt) },
            ...invited.map((user, index) => ({ userId: user.id, role: 'PARTICIPANT', invitedAt: new Date(invitedAt + index + 1) })),
          ],
        },
      },
      select: { id: true },
    });
    // Every participant reads the study through a grant row until the consultation ends (lib/grants)
    await grantConsultationReads(
      tx,
      { consultationId: consultation.id, studyRef: study.id, facilityId: study.facilityId, studyInstanceUid, overrideId },
      [{ userId: actor.userId }, ...invited.map((user) => ({ userId: user.id }))],
      actor.userId,
      new Date(invitedAt),
    );
    await recordAudit(tx, {
      actor: actor.email,
      actorUserId: actor.userId,
      action: 'consult.start',
      outcome: 'SUCCESS',
      facilityId: study.facilityId,
      patientId: study.patientId,
      studyUid: studyInstanceUid,
      sourceIp: actor.ip,
      resource: `consultations/${consultation.id}`,
      details: { invitees: invited.map((user) => user.email), ...(referralId ? { referralId } : {}) },
    });
    return consultation;
  });
}

export interface ConsultationView {
  id: string;
  title: string;
  studyInstanceUid: string;
  facilityId: string;
  createdAt: Date;
  endedAt: Date | null;
  /** The caller's own role in it */
  role: string;
  /** In invitation order, the host first (participant-order.ts); color as in the live session */
  participants: { userId: string; name: string; email: string; role: string; color: string; firstJoinedAt: Date | null; lastLeftAt: Date | null }[];
}

/** The session as one of its participants sees it; NOT_FOUND for anyone else (and for an unknown id). */
export async function consultationForParticipant(db: Database, userId: string, consultationId: string): Promise<ConsultationView> {
  const consultation = await db.consultation.findUnique({
    where: { id: consultationId },
    select: {
      id: true,
      title: true,
      studyInstanceUid: true,
      facilityId: true,
      createdAt: true,
      endedAt: true,
      participants: {
        select: { id: true, userId: true, role: true, invitedAt: true, firstJoinedAt: true, lastLeftAt: true, user: { select: { name: true, email: true, disabled: true } } },
      },
    },
  });
  const me = consultation?.participants.find((participant) => participant.userId === userId && !participant.user.disabled);
  if (!consultation || !me) throw new PolicyError('NOT_FOUND', 'consultation not found');
  const colors = participantColors(consultation.participants);
  return {
    ...consultation,
    role: me.role,
    participants: inInvitationOrder(consultation.participants).map((participant) => ({
      userId: participant.userId,
      name: participant.user.name,
      email: participant.user.email,
      role: participant.role,
      color: colors.get(participant.userId) ?? '',
      firstJoinedAt: participant.firstJoinedAt,
      lastLeftAt: participant.lastLeftAt,
    })),
  };
}

/** Records a participant's arrival or departure (the row and an audit event). */
export async function recordPresence(
  db: Database,
  consultation: Pick<ConsultationView, 'id' | 'facilityId' | 'studyInstanceUid'>,
  actor: Actor,
  event: 'join' | 'leave',
  now = new Date(),
): Promise<void> {
  await db.$transaction(async (tx) => {
    if (event === 'join') {
      await tx.consultationParticipant.updateMany({ where: { consultationId: consultation.id, userId: actor.userId, firstJoinedAt: null }, data: { firstJoinedAt: now } });
    } else {
      await tx.consultationParticipant.updateMany({ where: { consultationId: consultation.id, userId: actor.userId }, data: { lastLeftAt: now } });
    }
    await recordAudit(tx, {
      actor: actor.email,
      actorUserId: actor.userId,
      action: `consult.${event}`,
      outcome: 'SUCCESS',
      facilityId: consultation.facilityId,
      studyUid: consultation.studyInstanceUid,
      sourceIp: actor.ip,
      resource: `consultations/${consultation.id}`,
    });
  });
}
