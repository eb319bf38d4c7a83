// Who is told by e-mail of what, inside the transaction of the change (the
// mail is a durable job: lib/mail). The mail holds a link to the case and no
// patient data. Realtime news is referral-events.ts, after the commit.
import { enqueueMail } from '../mail/enqueue-mail';
import type { MailTemplateName } from '../mail/mail-templates';
import type { ReferralParties } from '../policy/referral-access';
import type { ReferralTx } from './address-referral';
import type { ReferralContext } from './referral-types';

export type ReferralNews = 'new' | 'question' | 'answer' | 'report' | 'overdue' | 'declined';

type Parties = Pick<ReferralParties, 'id' | 'requesterId' | 'ownerId' | 'targetUserId' | 'targetServiceId' | 'targetFacilityId'> & { facilityId: string };

/** The accounts one kind of news goes to */
export async function newsRecipients(tx: ReferralTx, parties: Parties, news: ReferralNews): Promise<string[]> {
  switch (news) {
    case 'question':
    case 'report':
    case 'declined':
      return [parties.requesterId];
    case 'answer':
      return parties.ownerId ? [parties.ownerId] : [];
    case 'new':
      return addresseesOf(tx, parties);
    case 'overdue': {
      const admins = await tx.membership.findMany({ where: { facilityId: parties.targetFacilityId, role: 'ADMIN', user: { disabled: false } }, select: { userId: true } });
      const first = parties.ownerId ? [parties.ownerId] : await addresseesOf(tx, parties);
      return [...new Set([...first, ...admins.map((admin) => admin.userId)])];
    }
  }
}

async function addresseesOf(tx: ReferralTx, parties: Parties): Promise<string[]> {
  if (parties.targetUserId) return [parties.targetUserId];
  if (!parties.targetServiceId) return [];
  const members = await tx.serviceMember.findMany({ where: { serviceId: parties.targetServiceId, user: { disabled: false } }, select: { userId: true } });
  return members.map((member) => member.userId);
}

const TEMPLATE_OF: Record<ReferralNews, MailTemplateName> = {
  new: 'referral.new',
  question: 'referral.question',
  answer: 'referral.answer',
  report: 'referral.report',
  overdue: 'referral.overdue',
  declined: 'referral.declined',
};

/** Enqueues the e-mail of this news (nothing while mail is off). eventKey makes a retried operation send once. */
export async function notifyReferral(context: ReferralContext, tx: ReferralTx, parties: Parties, news: ReferralNews, eventKey: string): Promise<void> {
  if (!context.config?.mail) return;
  const recipients = await newsRecipients(tx, parties, news);
  if (!recipients.length) return;
  const users = await tx.user.findMany({ where: { id: { in: recipients }, disabled: false, guest: false }, select: { email: true } });
  await enqueueMail(tx, context.config, {
    to: users.map((user) => user.email),
    template: TEMPLATE_OF[news],
    link: `/referrals/${parties.id}`,
    // Whose administrators see the mail job if it keeps failing: the side the news goes to
    facilityId: news === 'new' || news === 'overdue' || news === 'answer' ? parties.targetFacilityId : parties.facilityId,
    eventId: eventKey,
  });
}
