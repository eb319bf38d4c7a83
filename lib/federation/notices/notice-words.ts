// What crosses between nodes for an emergency transfer notice (issue 19): the notice itself
// (POST /federation/v1/notices) and each later change (POST /federation/v1/notices/{id}/changes,
// {id} being the notice's id at the node that sent it), checked with zod at the receiving node.
import { z } from 'zod';
import { MAX_TRANSFER_MESSAGE, MAX_TRANSFER_TEXT, TRANSFER_CONDITION_CODES, TRANSPORT_MODE_CODES, type TransferCondition, type TransportMode } from '../../transfers/transfer-words';

/** FederatedTransfer.sourceType of a notice's images */
export const NOTICE_TRANSFER_SOURCE = 'transfer-notice';

const ZText = (max = MAX_TRANSFER_TEXT) => z.string().max(max).default('');
const ZDate = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'a date and time').transform((value) => new Date(value));
const ZUid = z.string().regex(/^[0-9.]{1,64}$/);

export const ZForwardedNotice = z.object({
  /** The notice's id at the sending node */
  noticeId: z.string().min(1).max(64),
  /** The receiving service's id at the receiving node */
  serviceId: z.string().min(1).max(64),
  patient: z.object({ patientId: z.string().max(64), name: z.string().max(200), unidentified: z.boolean() }),
  condition: z.enum(TRANSFER_CONDITION_CODES as [TransferCondition, ...TransferCondition[]]),
  suspectedDiagnosis: ZText(),
  findings: ZText(),
  vitals: z.record(z.string(), z.union([z.number(), z.string()])).default({}),
  onsetAt: ZDate.nullable().default(null),
  onsetIsLastKnownWell: z.boolean().default(false),
  transportMode: z.enum(TRANSPORT_MODE_CODES as [TransportMode, ...TransportMode[]]),
  etaAt: ZDate,
  sentAt: ZDate,
  callbackPhone: z.string().max(60).default(''),
  studies: z.array(ZUid).max(100).default([]),
});
export type ForwardedNotice = z.input<typeof ZForwardedNotice>;

/** A change told to the other node: the receiving team's (seen: first opened there, acknowledge, accept, redirect within its node, arrive, message) or the sender's (cancel, eta, vitals, message). */
export const NOTICE_CHANGES = ['seen', 'acknowledge', 'accept', 'redirect', 'arrive', 'cancel', 'eta', 'vitals', 'message'] as const;
export type NoticeChange = (typeof NOTICE_CHANGES)[number];

export const ZNoticeChange = z.object({
  /** Names the change once (a retried call is applied once): the TransferEvent's or message's id at the telling node */
  changeId: z.string().min(1).max(64),
  change: z.enum(NOTICE_CHANGES),
  at: ZDate,
  note: ZText(),
  etaAt: ZDate.optional(),
  vitals: z.record(z.string(), z.union([z.number(), z.string()])).optional(),
  body: z.string().max(MAX_TRANSFER_MESSAGE).optional(),
  /** redirect: the new service's id at the receiving node */
  serviceId: z.string().min(1).max(64).optional(),
});
export type NoticeChangeInput = z.input<typeof ZNoticeChange>;
