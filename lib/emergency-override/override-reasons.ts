// Why a clinician opens a patient's images without consent (break-glass,
// issue 16): a reason from this list, and free text (required for OTHER). The
// words are what the review queue, the red banner and the audit view show.
import { z } from 'zod';

import { DEFAULT_OVERRIDE_HOURS, MAX_OVERRIDE_HOURS, MAX_OVERRIDE_REASON_TEXT, OVERRIDE_REASON_CODES, type OverrideReasonCode } from './override-reason-words';

export { DEFAULT_OVERRIDE_HOURS, MAX_OVERRIDE_HOURS, MAX_OVERRIDE_REASON_TEXT, OVERRIDE_REASONS, OVERRIDE_REASON_CODES, overrideReasonWords, type OverrideReasonCode } from './override-reason-words';

export const ZDeclareOverride = z
  .object({
    /** The patient record (Patient.id) as the page shows it; the override covers the person's linked records */
    patientRef: z.string({ error: 'Choose the patient' }).trim().min(1, 'Choose the patient').max(64),
    reasonCode: z.enum(OVERRIDE_REASON_CODES as [OverrideReasonCode, ...OverrideReasonCode[]], { error: 'Choose a reason' }),
    reasonText: z.string().trim().max(MAX_OVERRIDE_REASON_TEXT, `Use at most ${MAX_OVERRIDE_REASON_TEXT} characters`).default(''),
    /** The clinician's own password, again: a session alone cannot break the glass */
    password: z.string({ error: 'Enter your password' }).min(1, 'Enter your password').max(1024),
    hours: z.number({ error: `Choose 1 to ${MAX_OVERRIDE_HOURS} hours` }).int(`Choose 1 to ${MAX_OVERRIDE_HOURS} hours`).min(1, `Choose 1 to ${MAX_OVERRIDE_HOURS} hours`).max(MAX_OVERRIDE_HOURS, `Choose 1 to ${MAX_OVERRIDE_HOURS} hours`).default(DEFAULT_OVERRIDE_HOURS),
    /**
     * self (default): opens the patient's images to the clinician now (grants on every copy they do not read);
     * share: only the basis for a share a workflow makes next (referral, teleconsultation invite), no grant of its own
     */
    use: z.enum(['self', 'share'], { error: 'Choose self or share' }).default('self'),
  })
  .superRefine((value, context) => {
    if (value.reasonCode === 'OTHER' && !value.reasonText) context.addIssue({ code: 'custom', path: ['reasonText'], message: 'Explain the emergency' });
  });
export type DeclareOverrideInput = z.input<typeof ZDeclareOverride>;

export const REVIEW_STATUSES = ['PENDING', 'JUSTIFIED', 'NOT_JUSTIFIED'] as const;
export type OverrideReviewStatus = (typeof REVIEW_STATUSES)[number];
export const MAX_REVIEW_COMMENT = 2_000;

export const ZReviewOverride = z
  .object({
    status: z.enum(['JUSTIFIED', 'NOT_JUSTIFIED'], { error: 'Choose justified or not justified' }),
    comment: z.string().trim().max(MAX_REVIEW_COMMENT, `Use at most ${MAX_REVIEW_COMMENT} characters`).default(''),
  })
  .superRefine((value, context) => {
    if (value.status === 'NOT_JUSTIFIED' && !value.comment) context.addIssue({ code: 'custom', path: ['comment'], message: 'Say why it was not justified' });
  });
export type ReviewOverrideInput = z.input<typeof ZReviewOverride>;
