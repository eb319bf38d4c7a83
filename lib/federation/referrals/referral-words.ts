// What crosses between nodes for a second-opinion case (issue 19): the case itself
// (POST /federation/v1/referrals), and each later change (POST
// /federation/v1/referrals/{id}/changes, {id} being the case's id at the requesting node),
// checked with zod at the receiving node. A signed report travels with the 'complete'
// change: its text, signer and hash, and its two DICOM objects (Encapsulated PDF, SR).
import { z } from 'zod';
import { MAX_HISTORY, MAX_MESSAGE, MAX_QUESTION, MAX_REASON } from '../../referrals/referral-types';

/** FederatedTransfer.sourceType of a case's studies */
export const REFERRAL_TRANSFER_SOURCE = 'referral';

const ZDate = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'a date and time').transform((value) => new Date(value));
const ZUid = z.string().regex(/^[0-9.]{1,64}$/);
const ZId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

export const ZForwardedReferral = z.object({
  /** The case's id at the requesting node */
  referralId: ZId,
  /** The addressed service's id at the expert's node */
  serviceId: ZId,
  patient: z.object({ patientId: z.string().max(64), name: z.string().max(200) }),
  priority: z.enum(['ROUTINE', 'URGENT', 'STAT']),
  question: z.string().min(1).max(MAX_QUESTION),
  history: z.string().max(MAX_HISTORY).default(''),
  requestedAt: ZDate,
  /** The studies in the case's order, the first the one the report is written on */
  studies: z.array(z.object({ studyInstanceUid: ZUid, primary: z.boolean() })).min(1).max(20),
});
export type ForwardedReferral = z.input<typeof ZForwardedReferral>;

/**
 * A change told to the other node. The expert's side (the node that received the case) tells
 * claim, decline, start, ask, forward (within its node), complete (with the report),
 * message and attachment; the requester's side tells cancel, answer, close, message and
 * attachment (a file of the case or of a message: its bytes, at most 20 MB).
 */
export const REFERRAL_CHANGES = ['claim', 'decline', 'start', 'ask', 'forward', 'complete', 'cancel', 'answer', 'close', 'message', 'attachment'] as const;
export type ReferralChange = (typeof REFERRAL_CHANGES)[number];

/** Which side tells what: EXPERT = the node that received the case, REQUESTER = the node that sent it */
export const CHANGES_TOLD_BY: Record<'EXPERT' | 'REQUESTER', readonly ReferralChange[]> = {
  EXPERT: ['claim', 'start', 'ask', 'decline', 'forward', 'complete', 'message', 'attachment'],
  REQUESTER: ['cancel', 'answer', 'close', 'message', 'attachment'],
};

export const ZReportObject = z.object({ sopInstanceUid: ZUid, sha256: z.string().regex(/^[0-9a-f]{64}$/), dicom: z.string().max(12_000_000) });

export const ZReferralChange = z.object({
  /** Names the change once (a retried call is applied once): the ReferralEvent's or message's id at the telling node */
  changeId: ZId,
  change: z.enum(REFERRAL_CHANGES),
  at: ZDate,
  reason: z.string().max(MAX_REASON).default(''),
  /** ask, answer, message: the text */
  body: z.string().max(MAX_MESSAGE).optional(),
  /** forward: the new service's id at the expert's node (absent: a named expert there) */
  serviceId: ZId.optional(),
  /** attachment: the file (changeId is its id at the telling node, kept here) */
  attachment: z.object({ fileName: z.string().min(1).max(255), sha256: z.string().regex(/^[0-9a-f]{64}$/), data: z.string().max(28_000_000), messageId: ZId.nullable() }).optional(),
  /** complete: the signed report */
  report: z
    .object({
      sections: z.array(z.object({ key: z.string().max(64), title: z.string().max(200), text: z.string().max(60_000), pick: z.string().max(200).nullable().optional() })).max(40),
      signerName: z.string().max(200),
      signedAt: ZDate,
      contentSha256: z.string().regex(/^[0-9a-f]{64}$/),
      objects: z.array(ZReportObject).max(4),
      pdfSopInstanceUid: ZUid,
      srSopInstanceUid: ZUid,
    })
    .optional(),
});
export type ReferralChangeInput = z.input<typeof ZReferralChange>;
