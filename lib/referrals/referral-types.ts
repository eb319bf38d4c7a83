// The inputs of the second-opinion operations (Zod), and the context they run in.
import { z } from 'zod';
import type { Runtime } from '../runtime';
import { REFERRAL_PRIORITIES } from './due-time';

/** db for everything; io for the news after a commit; config for e-mail */
export type ReferralContext = Pick<Runtime, 'db'> & Partial<Pick<Runtime, 'io' | 'logger' | 'config'>>;

export const MAX_QUESTION = 4_000;
export const MAX_HISTORY = 8_000;
export const MAX_MESSAGE = 8_000;
export const MAX_REASON = 1_000;
export const MAX_STUDIES = 10;

const ZUid = z.string().trim().regex(/^[0-9.]{1,64}$/, 'Not a DICOM UID');

/** A named expert (optionally of one facility, when they belong to several) or a service */
export const ZAddressee = z.union(
  [z.object({ userId: z.string().trim().min(1), facilityId: z.string().trim().min(1).nullish() }).strict(), z.object({ serviceId: z.string().trim().min(1) }).strict()],
  { error: 'Choose an expert or a service' },
);
export type ReferralAddresseeInput = z.infer<typeof ZAddressee>;

export const ZCreateReferral = z.object({
  /** The study the case is about first (the report is written on it), then priors */
  studyInstanceUids: z.array(ZUid).min(1, 'Choose at least one study').max(MAX_STUDIES, `At most ${MAX_STUDIES} studies`),
  question: z.string({ error: 'Write the clinical question' }).trim().min(1, 'Write the clinical question').max(MAX_QUESTION, `Use at most ${MAX_QUESTION} characters`),
  history: z.string().trim().max(MAX_HISTORY, `Use at most ${MAX_HISTORY} characters`).default(''),
  priority: z.enum(REFERRAL_PRIORITIES, { error: 'Choose routine, urgent or stat' }).default('ROUTINE'),
  addressee: ZAddressee,
  /** false: keep it as a draft (default: send at once) */
  send: z.boolean().default(true),
  /** The requester's running emergency override for this patient, when the patient's consent is missing (issue 16) */
  overrideId: z.string().trim().min(1).max(64).nullish(),
});
export type CreateReferralInput = z.input<typeof ZCreateReferral>;

/** A reason; `required` names what to write when it is missing or empty */
const ZReason = (required?: string) =>
  required ? z.string({ error: required }).trim().min(1, required).max(MAX_REASON, `Use at most ${MAX_REASON} characters`) : z.string().trim().max(MAX_REASON, `Use at most ${MAX_REASON} characters`).default('');
const ZMessageBody = z.string({ error: 'Write your message' }).trim().min(1, 'Write your message').max(MAX_MESSAGE, `Use at most ${MAX_MESSAGE} characters`);

/** One transition's input, by action (the route's body) */
export const ZTransition = z.discriminatedUnion('action', [
  z.object({ action: z.literal('send'), revision: z.number().int().optional() }),
  z.object({ action: z.literal('claim'), revision: z.number().int().optional() }),
  z.object({ action: z.literal('decline'), reason: ZReason('Say why you decline'), revision: z.number().int().optional() }),
  z.object({ action: z.literal('redirect'), addressee: ZAddressee, reason: ZReason(), revision: z.number().int().optional() }),
  z.object({ action: z.literal('start'), revision: z.number().int().optional() }),
  z.object({ action: z.literal('ask'), message: ZMessageBody, revision: z.number().int().optional() }),
  z.object({ action: z.literal('answer'), message: ZMessageBody, revision: z.number().int().optional() }),
  z.object({ action: z.literal('close'), revision: z.number().int().optional() }),
  z.object({ action: z.literal('cancel'), reason: ZReason(), revision: z.number().int().optional() }),
  z.object({ action: z.literal('forward'), addressee: ZAddressee, reason: ZReason('Add a note for the next expert'), revision: z.number().int().optional() }),
], { error: 'Unknown action' });
export type TransitionInput = z.input<typeof ZTransition>;

export const ZPostMessage = z.object({ body: ZMessageBody });
