// A message on a case's thread, by any party while the case is not over
// (draft, closed and cancelled cases take none). A question that puts the
// case on hold and its answer are transitions (ask, answer), not this.
import { parseInput } from '../admin/errors';
import { DomainError } from '../errors';
import type { Principal } from '../policy/principal';
import { loadReferral } from './load-referral';
import { markThreadRead } from './referral-reads';
import { auditedReferral, recordReferralAudit } from './referral-audit';
import { publishReferralChanged } from './referral-events';
import { ZPostMessage, type ReferralContext } from './referral-types';
import { queueReferralChange } from '../federation/referrals/relay-referral-change';

/** A draft or a case over takes no messages (here, or told by another node) */
export const CLOSED_TO_MESSAGES: readonly string[] = ['DRAFT', 'CLOSED', 'CANCELLED'];

export async function postReferralMessage(context: ReferralContext, principal: Principal, referralId: string, input: unknown, now = new Date()): Promise<{ id: string }> {
  const { db } = context;
  const { body } = parseInput(ZPostMessage, input);
  const { referral } = await loadReferral(db, principal, referralId);
  if (CLOSED_TO_MESSAGES.includes(referral.status)) {
    throw new DomainError('CONFLICT', `message refused in ${referral.status}`, { userMessage: referral.status === 'DRAFT' ? 'Send the case before writing on it.' : 'This case is over: it takes no more messages.' });
  }
  const message = await db.$transaction(async (tx) => {
    const created = await tx.referralMessage.create({ data: { referralId: referral.id, authorId: principal.userId, body, kind: 'NOTE', createdAt: now }, select: { id: true } });
    await markThreadRead(tx, referral.id, principal.userId, now);
    await recordReferralAudit(tx, principal, auditedReferral(referral), 'referral.message', { messageId: created.id });
    await queueReferralChange(tx, referral, 'message', created.id);
    return created;
  });
  await publishReferralChanged(context, { referralId: referral.id, status: referral.status, priority: referral.priority, change: 'message' }, [referral]);
  return message;
}

/** The caller has read the thread up to now (their unread count drops to 0). */
export async function markReferralRead(context: ReferralContext, principal: Principal, referralId: string, now = new Date()): Promise<void> {
  const { referral } = await loadReferral(context.db, principal, referralId);
  await markThreadRead(context.db, referral.id, principal.userId, now);
}
