// The escalation of a case that reached its due time unclaimed or
// unreported (issue 15): a durable job enqueued for the due time when the
// case goes to an addressee (address-referral.ts), so it survives restarts
// and runs once. At its time, if the case is still open with that due time
// and not escalated yet, it records the escalation (event, audit row), tells
// the addressee (or the expert who took it) and the receiving facility's
// administrators by e-mail, and their open pages at once. A case completed,
// cancelled or re-addressed since (another due time) is left alone.
import type { Config } from '../config/config';
import { defineJob } from '../jobs/registry';
import { auditedReferral, recordReferralAudit } from './referral-audit';
import { findReferralRow } from './load-referral';
import { publishReferralChanged } from './referral-events';
import { newsRecipients, notifyReferral } from './referral-notify';
import { OPEN_STATUSES, type ReferralStatus } from './referral-states';

export interface EscalateReferralPayload {
  referralId: string;
  /** The due time this job was enqueued for (ISO) */
  dueAt: string;
}

/** Made for this process's configuration (the e-mail relay), like the mail job */
export const createEscalateReferralJob = (config: Pick<Config, 'mail'>) => defineJob('referral.escalate', async (payload, { db, io, logger }) => {
  const referral = await findReferralRow(db, payload.referralId);
  // On hold the case waits for the requester's answer, not for the experts: the answer schedules it again
  if (!referral || !OPEN_STATUSES.includes(referral.status as ReferralStatus) || referral.status === 'ON_HOLD' || referral.escalatedAt) return;
  if (!referral.dueAt || referral.dueAt.toISOString() !== payload.dueAt) return;
  // A runner whose clock is behind the one that enqueued: try again at the due time
  if (referral.dueAt.getTime() > Date.now()) throw new Error('not due yet');
  const now = new Date();
  const recipients = await db.$transaction(async (tx) => {
    const marked = await tx.referral.updateMany({ where: { id: referral.id, escalatedAt: null, dueAt: referral.dueAt }, data: { escalatedAt: now } });
    if (marked.count !== 1) return null;
    await tx.referralEvent.create({ data: { referralId: referral.id, actorId: null, action: 'escalate', fromStatus: referral.status, toStatus: referral.status, at: now, details: JSON.stringify({ dueAt: payload.dueAt }) } });
    const audited = auditedReferral(referral);
    await recordReferralAudit(tx, null, audited, 'referral.escalate', { from: referral.status, to: referral.status, dueAt: payload.dueAt });
    await notifyReferral({ db, logger, config: config as Config }, tx, referral, 'overdue', `${referral.id}:escalate:${payload.dueAt}`);
    return newsRecipients(tx, referral, 'overdue');
  });
  if (!recipients) return;
  await publishReferralChanged({ db, io, logger }, { referralId: referral.id, status: referral.status, priority: referral.priority, change: 'escalate' }, [referral], recipients);
});
