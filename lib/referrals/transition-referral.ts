// Moves a case from one state to the next (referral-states.ts says which
// moves exist and who may make them). Every move is one transaction: the
// row changes only if nobody moved it meanwhile (status and revision, so of
// two experts claiming at once exactly one wins and the other is told who
// did), the grants follow the case's hands, the event and the audit row are
// written, the e-mail job is enqueued; after the commit the sockets that
// read through an ended grant are closed and the parties' pages are told.
import { parseInput } from '../admin/errors';
import { DomainError } from '../errors';
import { closeRevokedSockets, grantReferralReads, revokeConsultationReads, revokeReferralReads, type RevokedGrant } from '../grants';
import { wakeJobRunners } from '../jobs/job-signals';
import { isAddressee, resolveReferralAddressee, type ReferralParties, type ReferralRole } from '../policy/referral-access';
import { isPolicyError } from '../policy/errors';
import type { Principal } from '../policy/principal';
import { addressReferral, scheduleEscalation, type Addressee, type ReferralTx } from './address-referral';
import { findReferralRow, loadReferral, type ReferralRow } from './load-referral';
import { markThreadRead } from './referral-reads';
import { auditedReferral, recordReferralAudit, type ReferralAuditAction } from './referral-audit';
import { publishReferralChanged } from './referral-events';
import { notifyReferral, type ReferralNews } from './referral-notify';
import { TRANSITIONS, type ReferralStatus } from './referral-states';
import { authorizeReferralAddressee } from '../policy/federated-referral-access';
import { queueReferralForward } from '../federation/referrals/forward-referral-job';
import { queueReferralChange } from '../federation/referrals/relay-referral-change';
import { ZTransition, type ReferralContext } from './referral-types';

type Transition = ReturnType<typeof parseTransition>;
const parseTransition = (input: unknown) => parseInput(ZTransition, input);

const ROLE_WORDS: Record<ReferralRole, string> = { REQUESTER: 'the requesting doctor', OWNER: 'the expert working on the case', ADDRESSEE: 'the expert or service it is addressed to' };

export interface TransitionResult {
  id: string;
  status: string;
  revision: number;
}

export async function transitionReferral(context: ReferralContext, principal: Principal, referralId: string, input: unknown, now = new Date()): Promise<TransitionResult> {
  const { db } = context;
  const request = parseTransition(input);
  const { referral, roles } = await loadReferral(db, principal, referralId).catch(async (error: unknown) => {
    throw (request.action === 'claim' && isPolicyError(error) && error.code === 'NOT_FOUND' && (await claimedBeforehand(context, principal, referralId))) || error;
  });
  const rule = TRANSITIONS[request.action];
  if (!rule.from.includes(referral.status as ReferralStatus)) throw new DomainError('CONFLICT', `${request.action} refused in ${referral.status}`, { userMessage: rule.words });
  if (!rule.by.some((role) => roles.includes(role))) {
    throw new DomainError('FORBIDDEN', `${request.action} refused for ${roles.join(',')}`, { userMessage: `Only ${rule.by.map((role) => ROLE_WORDS[role]).join(' or ')} can do this.` });
  }
  if (request.revision !== undefined && request.revision !== referral.revision) throw changedMeanwhile();
  const target = 'addressee' in request ? await newAddressee(context, principal, referral, request.addressee) : null;

  const before: ReferralParties = { ...referral };
  let after: ReferralParties = before;
  const { revoked, news } = await db.$transaction(async (tx) => {
    const change = await applyTransition(tx, principal, referral, request, target, now);
    const claimed = await tx.referral.updateMany({
      where: { id: referral.id, status: referral.status, revision: referral.revision },
      data: { status: rule.to, revision: { increment: 1 }, ...change.data },
    });
    if (claimed.count !== 1) throw await lostRace(tx, referral, request.action);
    after = { ...referral, ...change.data, status: rule.to } as ReferralParties;
    // The expert who leaves the case (declined, forwarded, cancelled) also leaves its teleconsultations' images
    const departing = referral.ownerId && (after.ownerId !== referral.ownerId || rule.to === 'CANCELLED') ? referral.ownerId : null;
    if (departing) change.revoked.push(...(await revokeCaseConsultationReads(tx, referral.id, departing, principal.userId, now)));
    const reason = 'reason' in request ? request.reason : '';
    const addressee = target ? { userId: target.targetUserId, serviceId: target.targetServiceId, facilityId: target.targetFacilityId } : undefined;
    const event = await tx.referralEvent.create({
      select: { id: true },
      data: { referralId: referral.id, actorId: principal.userId, action: request.action, fromStatus: referral.status, toStatus: rule.to, reason, at: now, details: JSON.stringify({ ...(addressee ? { addressee } : {}), ...(change.dueAt ? { dueAt: change.dueAt.toISOString() } : {}) }) },
    });
    await recordReferralAudit(tx, principal, auditedReferral(referral), `referral.${request.action}` as ReferralAuditAction, { from: referral.status, to: rule.to, ...(reason ? { reason } : {}), ...(addressee ? { addressee } : {}), ...(change.dueAt ? { dueAt: change.dueAt.toISOString() } : {}) });
    if (change.news) await notifyReferral(context, tx, { ...after, facilityId: referral.facilityId, id: referral.id }, change.news, `${referral.id}:${referral.revision + 1}`);
    // A case shared with another node: its delivery there (sent, redirected) or the change told (lib/federation/referrals)
    const addressed = { ...referral, ...change.data, revision: referral.revision + 1 };
    if (request.action === 'send' || request.action === 'redirect') await queueReferralForward(tx, addressed);
    else await queueReferralChange(tx, addressed, request.action, event.id);
    return { revoked: change.revoked, news: change.news };
  });
  void news;
  wakeJobRunners();
  await closeRevokedSockets({ db, io: context.io }, revoked);
  await publishReferralChanged(context, { referralId: referral.id, status: rule.to, priority: referral.priority, change: request.action }, [before, after]);
  return { id: referral.id, status: rule.to, revision: referral.revision + 1 };
}

interface Change {
  data: Partial<{ ownerId: string | null; targetUserId: string | null; targetServiceId: string | null; targetFacilityId: string; dueAt: Date; requestedAt: Date; closedAt: Date; escalatedAt: Date | null }>;
  revoked: RevokedGrant[];
  news?: ReferralNews;
  dueAt?: Date;
}

async function applyTransition(tx: ReferralTx, principal: Principal, referral: ReferralRow, request: Transition, target: Addressee | null, now: Date): Promise<Change> {
  const revokeAll = (reason: string) => revokeReferralReads(tx, referral.id, { revokedById: principal.userId, reason }, [], now);
  switch (request.action) {
    case 'send': {
      const outcome = await addressReferral(tx, referral, referral, principal.userId, { keepDueAt: false, reason: 'case sent' }, now);
      return { data: { requestedAt: now, dueAt: outcome.dueAt }, revoked: outcome.revoked, news: 'new', dueAt: outcome.dueAt };
    }
    case 'redirect':
    case 'forward': {
      const outcome = await addressReferral(tx, referral, target!, principal.userId, { keepDueAt: request.action === 'forward', reason: `case ${request.action}ed` }, now);
      return { data: { ...target!, ownerId: null, requestedAt: now, dueAt: outcome.dueAt, escalatedAt: null }, revoked: outcome.revoked, news: 'new', dueAt: outcome.dueAt };
    }
    case 'claim': {
      // The service's (or the named expert's) grants end; the expert who took it reads through their own
      const revoked = await revokeAll('case claimed');
      await grantReferralReads(tx, referral.id, referral.studies, { userId: principal.userId }, principal.userId, now, referral.overrideId);
      return { data: { ownerId: principal.userId }, revoked };
    }
    case 'decline':
      return { data: { ownerId: null }, revoked: await revokeAll('case declined'), news: 'declined' };
    case 'cancel':
      return { data: {}, revoked: await revokeAll('case cancelled') };
    case 'ask':
    case 'answer':
      await tx.referralMessage.create({ data: { referralId: referral.id, authorId: principal.userId, body: request.message, kind: request.action === 'ask' ? 'QUESTION' : 'ANSWER', createdAt: now } });
      await markThreadRead(tx, referral.id, principal.userId, now);
      // Answered after the due time passed on hold (the escalation skipped it): it escalates now
      if (request.action === 'answer' && referral.dueAt && referral.dueAt <= now && !referral.escalatedAt) await scheduleEscalation(tx, referral, referral.dueAt);
      return { data: {}, revoked: [], news: request.action === 'ask' ? 'question' : 'answer' };
    case 'close':
      return { data: { closedAt: now }, revoked: [] };
    case 'start':
      return { data: {}, revoked: [] };
  }
}

/** The addressee of a redirect or forward: an expert or an enabled service, not the caller, not the one it is with now. */
async function newAddressee(context: ReferralContext, principal: Principal, referral: ReferralRow, addressee: unknown): Promise<Addressee> {
  const target = await resolveReferralAddressee(context.db, addressee as Parameters<typeof resolveReferralAddressee>[1]).catch(() => {
    throw new DomainError('INVALID_INPUT', 'unknown addressee', { userMessage: 'Choose an expert or a service from the list.', fields: { addressee: 'Choose an expert or a service from the list' } });
  });
  await authorizeReferralAddressee(context.db, target, referral.peerId);
  if (target.targetUserId === principal.userId || target.targetUserId === referral.requesterId) {
    throw new DomainError('INVALID_INPUT', 'addressed to a party', { userMessage: 'Choose another expert or a service.', fields: { addressee: 'Choose another expert or a service' } });
  }
  // Forwarding a waiting case to where it already waits changes nothing; an expert who has it
  // may hand it back to its service's pool, and a declined case may go back to the pool
  const same = target.targetUserId === referral.targetUserId && target.targetServiceId === referral.targetServiceId;
  if (same && referral.status === 'REQUESTED') {
    throw new DomainError('INVALID_INPUT', 'same addressee', { userMessage: 'The case is already addressed there.', fields: { addressee: 'The case is already addressed there' } });
  }
  return target;
}

/** Ends one user's grants of the case's open teleconsultations (they stay listed; the room closes their sockets). */
async function revokeCaseConsultationReads(tx: ReferralTx, referralId: string, userId: string, revokedById: string, now: Date): Promise<RevokedGrant[]> {
  const consultations = await tx.consultation.findMany({ where: { referralId, endedAt: null }, select: { id: true } });
  const revoked: RevokedGrant[] = [];
  for (const consultation of consultations) revoked.push(...(await revokeConsultationReads(tx, consultation.id, { revokedById, reason: 'left the second-opinion case' }, userId, now)));
  return revoked;
}

function changedMeanwhile(): DomainError {
  return new DomainError('CONFLICT', 'referral changed meanwhile', { userMessage: 'The case changed meanwhile. Reload it to see what is new.' });
}

/**
 * A claim that comes just after a colleague's (the pool's inbox still showed it):
 * the case left the caller's hands, but they were its addressee, so they are
 * told who took it rather than NOT_FOUND. Anyone else: null (NOT_FOUND stands).
 */
async function claimedBeforehand(context: ReferralContext, principal: Principal, referralId: string): Promise<DomainError | null> {
  const referral = await findReferralRow(context.db, referralId);
  if (!referral?.ownerId || referral.ownerId === principal.userId || !(await isAddressee(context.db, principal.userId, referral))) return null;
  const owner = await context.db.user.findUnique({ where: { id: referral.ownerId }, select: { name: true } });
  return owner ? new DomainError('CONFLICT', 'claimed by another expert', { userMessage: `${owner.name} claimed this case first.` }) : null;
}

/** The update found the case moved: say by whom when it was a claim. */
async function lostRace(tx: ReferralTx, referral: ReferralRow, action: string): Promise<DomainError> {
  const now = await tx.referral.findUnique({ where: { id: referral.id }, select: { status: true, owner: { select: { name: true } } } });
  if (action === 'claim' && now?.owner) {
    return new DomainError('CONFLICT', 'claimed by another expert', { userMessage: `${now.owner.name} claimed this case first.` });
  }
  return changedMeanwhile();
}


/** The expert started the case's report: an accepted case is now in progress (nothing for one already further). */
export async function startCaseOnReport(context: ReferralContext, principal: Principal, referralId: string): Promise<void> {
  const { referral } = await loadReferral(context.db, principal, referralId);
  if (referral.status !== 'ACCEPTED' || referral.ownerId !== principal.userId) return;
  await transitionReferral(context, principal, referralId, { action: 'start', revision: referral.revision }).catch((error: unknown) => {
    // Moved meanwhile (a question asked in another tab): the report is started all the same
    if (!(error instanceof DomainError && error.code === 'CONFLICT')) throw error;
  });
}
