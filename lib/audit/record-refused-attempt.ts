// A refused attempt at a resource, recorded so that the resource's OWNER can
// see it. The caller is answered exactly as if the resource did not exist
// (NOT_FOUND, same bytes); this is the only place that looks up who owns
// what was asked for, and it tells nobody but the owner's administrators.
//
// Two rows (more for a study several facilities hold):
// - the attempt as the caller made it (no facility, nothing the caller did
//   not type): the caller's own facility's administrators see it through
//   their members' events (audit-query.ts), whether or not the resource
//   exists, so their view tells them nothing about other facilities;
// - when the resource exists and belongs to a facility the caller is not a
//   member of, the same attempt recorded IN that facility, with the patient
//   and study it touched: what that facility's administrators see. A study
//   UID held by several facilities (each holds its own copy) gives one such
//   row per owning facility.
import type { Database } from '../../prisma/database';
import type { Logger } from '../../pacs-core/logger';
import { auditQueueFor } from './audit-queue';
import type { AuditAction, AuditDetails } from './actions';
import type { AuditEvent, AuditOutcome } from './record-audit';

/** What the caller asked for, as they named it. */
export type RefusedTarget =
  | { kind: 'study'; studyInstanceUid: string }
  /** The portal's patient record (Patient.id, as in /patients/{id}) */
  | { kind: 'patient'; id: string }
  | { kind: 'consultation'; id: string }
  /** A second-opinion case (Referral.id) */
  | { kind: 'referral'; id: string }
  /** A patient's consent (Consent.id) */
  | { kind: 'consent'; id: string }
  /** An emergency transfer notice (TransferNotice.id) */
  | { kind: 'transfer'; id: string }
  /** A sign-in or HTTP Basic attempt on this account (the email as typed) */
  | { kind: 'account'; email: string };

export interface RefusedAttempt {
  /** email, "token:<name>", or the email typed into a failed sign-in */
  actor: string;
  /** The caller's account; null for a failed sign-in (the caller is not that account) */
  actorUserId: string | null;
  sourceIp: string;
  action: AuditAction;
  target: RefusedTarget;
  /** DENIED (default): access refused; FAILURE: wrong credentials */
  outcome?: Exclude<AuditOutcome, 'SUCCESS'>;
  resource?: string;
  details?: AuditDetails<AuditAction>;
}

export interface RefusalContext {
  db: Pick<Database, 'auditEvent' | 'study' | 'patient' | 'consultation' | 'user' | 'membership' | 'referral' | 'consent' | 'transferNotice'>;
  logger: Logger;
  shared: Map<string, unknown>;
}

interface Owner {
  facilityId: string;
  patientId?: string;
  studyUid?: string;
}

// Values from a URL or a header: bounded before they reach a query or a row.
const MAX_NAME = 256;

async function ownersOf(db: RefusalContext['db'], target: RefusedTarget): Promise<Owner[]> {
  switch (target.kind) {
    case 'study': {
      // Each facility holds its own copy of a study: every owning facility gets its row
      const copies = await db.study.findMany({
        where: { studyInstanceUid: target.studyInstanceUid },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        select: { facilityId: true, studyInstanceUid: true, patient: { select: { patientId: true } } },
      });
      return copies.map((study) => ({ facilityId: study.facilityId, patientId: study.patient.patientId, studyUid: study.studyInstanceUid }));
    }
    case 'patient': {
      const patient = await db.patient.findUnique({ where: { id: target.id }, select: { facilityId: true, patientId: true } });
      return patient ? [{ facilityId: patient.facilityId, patientId: patient.patientId }] : [];
    }
    case 'consultation': {
      const consultation = await db.consultation.findUnique({ where: { id: target.id }, select: { facilityId: true, studyInstanceUid: true } });
      if (!consultation) return [];
      const study = await db.study.findUnique({
        where: { facilityId_studyInstanceUid: { facilityId: consultation.facilityId, studyInstanceUid: consultation.studyInstanceUid } },
        select: { patient: { select: { patientId: true } } },
      });
      return [{ facilityId: consultation.facilityId, studyUid: consultation.studyInstanceUid, patientId: study?.patient.patientId }];
    }
    case 'consent': {
      const consent = await db.consent.findUnique({ where: { id: target.id }, select: { facilityId: true, patient: { select: { patientId: true } } } });
      return consent ? [{ facilityId: consent.facilityId, patientId: consent.patient.patientId }] : [];
    }
    case 'referral': {
      const referral = await db.referral.findUnique({ where: { id: target.id }, select: { facilityId: true, patientId: true, studies: { where: { primary: true }, select: { studyInstanceUid: true } } } });
      return referral ? [{ facilityId: referral.facilityId, patientId: referral.patientId, studyUid: referral.studies[0]?.studyInstanceUid }] : [];
    }
    case 'transfer': {
      const notice = await db.transferNotice.findUnique({ where: { id: target.id }, select: { sendingFacilityId: true, patientId: true, studies: { take: 1, orderBy: { addedAt: 'asc' }, select: { studyInstanceUid: true } } } });
      return notice ? [{ facilityId: notice.sendingFacilityId, patientId: notice.patientId, studyUid: notice.studies[0]?.studyInstanceUid }] : [];
    }
    case 'account': {
      const user = await db.user.findUnique({ where: { email: target.email.trim().toLowerCase() }, select: { guest: true, memberships: { select: { facilityId: true } } } });
      return user && !user.guest ? [...new Set(user.memberships.map((membership) => membership.facilityId))].map((facilityId) => ({ facilityId })) : [];
    }
  }
}

function targetIsBounded(target: RefusedTarget): boolean {
  const name = target.kind === 'study' ? target.studyInstanceUid : target.kind === 'account' ? target.email : target.id;
  return name.length > 0 && name.length <= MAX_NAME;
}

/**
 * Records the attempt (see the top of this file). Never throws: a failed
 * lookup or write is logged, and the caller answers NOT_FOUND regardless.
 * Rows go through the group-committing queue, like the reads they stand for.
 */
export async function recordRefusedAttempt(context: RefusalContext, attempt: RefusedAttempt): Promise<void> {
  const queue = auditQueueFor(context);
  const base: AuditEvent = {
    actor: attempt.actor.slice(0, MAX_NAME) || 'anonymous',
    actorUserId: attempt.actorUserId,
    action: attempt.action,
    outcome: attempt.outcome ?? 'DENIED',
    resource: attempt.resource,
    sourceIp: attempt.sourceIp,
    details: attempt.details,
  };
  const asked = attempt.target.kind === 'study' ? attempt.target.studyInstanceUid.slice(0, MAX_NAME) : null;
  queue.enqueue({ ...base, studyUid: asked });
  if (!targetIsBounded(attempt.target)) return;
  try {
    let owners = await ownersOf(context.db, attempt.target);
    if (owners.length && attempt.actorUserId) {
      // A member's own facility already sees the first row.
      const memberOf = await context.db.membership.findMany({
        where: { userId: attempt.actorUserId, facilityId: { in: owners.map((owner) => owner.facilityId) } },
        select: { facilityId: true },
      });
      const own = new Set(memberOf.map((membership) => membership.facilityId));
      owners = owners.filter((owner) => !own.has(owner.facilityId));
    }
    for (const owner of owners) {
      queue.enqueue({ ...base, facilityId: owner.facilityId, patientId: owner.patientId ?? null, studyUid: owner.studyUid ?? asked });
    }
  } catch (error) {
    context.logger.error('the owner of a refused attempt could not be resolved', {
      action: attempt.action,
      target: attempt.target,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
