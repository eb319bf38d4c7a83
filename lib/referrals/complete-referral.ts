// A case ends in a signed report (issue 15): signing the case's report
// (lib/reports/sign-report.ts) completes the case in the signature's own
// transaction — both or neither. The grants end except the reporting
// expert's on the study they reported (they keep reading what they signed);
// the requester is told (e-mail job in the transaction, their pages after
// the commit). A case that was cancelled, declined or forwarded meanwhile
// refuses the signature.
import { DomainError } from '../errors';
import { closeRevokedSockets, referralGrantsOf, revokeReferralReads, type RevokedGrant } from '../grants';
import type { Principal } from '../policy/principal';
import type { ReferralTx } from './address-referral';
import { findReferralRow, primaryStudyOf, type ReferralRow } from './load-referral';
import { auditedReferral, recordReferralAudit } from './referral-audit';
import { publishReferralChanged } from './referral-events';
import { notifyReferral } from './referral-notify';
import { COMPLETABLE_STATUSES, type ReferralStatus } from './referral-states';
import type { ReferralContext } from './referral-types';
import { queueReferralChange } from '../federation/referrals/relay-referral-change';

export interface CompletedReferral {
  referral: ReferralRow;
  revoked: RevokedGrant[];
}

/** Inside the signature's transaction: the case of this report becomes COMPLETED. */
export async function completeReferralInSignature(context: ReferralContext, tx: ReferralTx, principal: Principal, report: { id: string; referralId: string }, now: Date): Promise<CompletedReferral> {
  const referral = await findReferralRow(tx, report.referralId);
  if (!referral || !COMPLETABLE_STATUSES.includes(referral.status as ReferralStatus) || !referral.ownerId) {
    throw new DomainError('CONFLICT', `case ${report.referralId} not completable (${referral?.status})`, {
      userMessage: 'The report was NOT signed: its second-opinion case was cancelled, declined or handed on meanwhile.',
    });
  }
  const completed = await tx.referral.updateMany({
    where: { id: referral.id, status: referral.status, revision: referral.revision },
    data: { status: 'COMPLETED', reportId: report.id, completedAt: now, revision: { increment: 1 } },
  });
  if (completed.count !== 1) throw new DomainError('CONFLICT', 'case changed during signature', { userMessage: 'The case changed while you signed. Reload and sign again.' });
  const primary = primaryStudyOf(referral);
  const keep = primary?.studyRef ? await referralGrantsOf(tx, referral.id, referral.ownerId, primary.studyRef) : [];
  const revoked = await revokeReferralReads(tx, referral.id, { revokedById: principal.userId, reason: 'case completed' }, keep, now);
  const event = await tx.referralEvent.create({ select: { id: true }, data: { referralId: referral.id, actorId: principal.userId, action: 'complete', fromStatus: referral.status, toStatus: 'COMPLETED', at: now, details: JSON.stringify({ reportId: report.id }) } });
  const audited = auditedReferral(referral);
  await recordReferralAudit(tx, principal, audited, 'referral.complete', { from: referral.status, to: 'COMPLETED', reportId: report.id });
  await notifyReferral(context, tx, referral, 'report', `${referral.id}:complete`);
  // A case received from another node: the report goes back to it (lib/federation/referrals)
  await queueReferralChange(tx, referral, 'complete', event.id);
  return { referral, revoked };
}

/** After the signature's commit: close what the ended grants opened, tell the parties' pages. */
export async function announceReferralCompleted(context: ReferralContext, completed: CompletedReferral): Promise<void> {
  await closeRevokedSockets({ db: context.db, io: context.io }, completed.revoked);
  await publishReferralChanged(context, { referralId: completed.referral.id, status: 'COMPLETED', priority: completed.referral.priority, change: 'complete' }, [completed.referral]);
}
