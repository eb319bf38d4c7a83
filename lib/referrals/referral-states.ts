// The case's states and who may move it where (issue 15), FHIR Task-shaped:
// draft → requested → accepted (claimed) | declined → in progress ⇄ on hold →
// completed (a signed report) → closed; cancelled by the requester before
// completion; forwarded by the expert (back to requested, another addressee).
// One table: every operation asks it, and a refusal names what is allowed.
import type { ReferralRole } from '../policy/referral-access';

export const REFERRAL_STATUSES = ['DRAFT', 'REQUESTED', 'ACCEPTED', 'DECLINED', 'IN_PROGRESS', 'ON_HOLD', 'COMPLETED', 'CLOSED', 'CANCELLED'] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

/** Waiting for the expert side (the inbox's "open"); the grants stay while the case is in one of these */
export const OPEN_STATUSES: readonly ReferralStatus[] = ['REQUESTED', 'ACCEPTED', 'IN_PROGRESS', 'ON_HOLD'];

export const REFERRAL_ACTIONS = ['send', 'claim', 'decline', 'redirect', 'start', 'ask', 'answer', 'close', 'cancel', 'forward'] as const;
export type ReferralAction = (typeof REFERRAL_ACTIONS)[number];

interface Rule {
  from: readonly ReferralStatus[];
  to: ReferralStatus;
  /** Who may: any one of these roles */
  by: readonly ReferralRole[];
  /** What the refusal says when the state is wrong */
  words: string;
}

export const TRANSITIONS: Record<ReferralAction, Rule> = {
  send: { from: ['DRAFT'], to: 'REQUESTED', by: ['REQUESTER'], words: 'Only a draft can be sent.' },
  claim: { from: ['REQUESTED'], to: 'ACCEPTED', by: ['ADDRESSEE'], words: 'This case is no longer waiting to be claimed.' },
  decline: { from: ['REQUESTED', 'ACCEPTED', 'IN_PROGRESS'], to: 'DECLINED', by: ['ADDRESSEE', 'OWNER'], words: 'This case can no longer be declined.' },
  redirect: { from: ['DECLINED'], to: 'REQUESTED', by: ['REQUESTER'], words: 'Only a declined case can be sent to someone else.' },
  start: { from: ['ACCEPTED'], to: 'IN_PROGRESS', by: ['OWNER'], words: 'Only an accepted case can be started.' },
  ask: { from: ['ACCEPTED', 'IN_PROGRESS'], to: 'ON_HOLD', by: ['OWNER'], words: 'A question can be asked only while you work on the case.' },
  answer: { from: ['ON_HOLD'], to: 'IN_PROGRESS', by: ['REQUESTER'], words: 'There is no open question to answer.' },
  close: { from: ['COMPLETED'], to: 'CLOSED', by: ['REQUESTER'], words: 'Only a completed case can be closed.' },
  cancel: { from: ['DRAFT', 'REQUESTED', 'ACCEPTED', 'DECLINED', 'IN_PROGRESS', 'ON_HOLD'], to: 'CANCELLED', by: ['REQUESTER'], words: 'A completed, closed or cancelled case cannot be cancelled.' },
  forward: { from: ['REQUESTED', 'ACCEPTED', 'IN_PROGRESS'], to: 'REQUESTED', by: ['ADDRESSEE', 'OWNER'], words: 'This case can no longer be forwarded.' },
};

/** The statuses a report's signature completes a case from */
export const COMPLETABLE_STATUSES: readonly ReferralStatus[] = ['ACCEPTED', 'IN_PROGRESS', 'ON_HOLD'];

/** What a participant may do now (the case page's buttons) */
export function allowedActions(status: string, roles: readonly ReferralRole[]): ReferralAction[] {
  return REFERRAL_ACTIONS.filter((action) => {
    const rule = TRANSITIONS[action];
    return rule.from.includes(status as ReferralStatus) && rule.by.some((role) => roles.includes(role));
  });
}

export const STATUS_WORDS: Record<ReferralStatus, string> = {
  DRAFT: 'Draft',
  REQUESTED: 'Requested',
  ACCEPTED: 'Accepted',
  DECLINED: 'Declined',
  IN_PROGRESS: 'In progress',
  ON_HOLD: 'Question asked',
  COMPLETED: 'Report signed',
  CLOSED: 'Closed',
  CANCELLED: 'Cancelled',
};
