// The inputs of the transfer-notice operations (zod). The words and limits are in
// transfer-words.ts (zod-free: pages import them).
import { z } from 'zod';
import {
  MAX_ETA_HOURS,
  MAX_TRANSFER_MESSAGE,
  MAX_TRANSFER_STUDIES,
  MAX_TRANSFER_TEXT,
  TRANSFER_CONDITION_CODES,
  TRANSPORT_MODE_CODES,
  VITAL_SIGNS,
  type TransferCondition,
  type TransportMode,
} from './transfer-words';

const ZUid = z.string().trim().regex(/^[0-9.]{1,64}$/, 'Not a DICOM UID');
const ZText = (max = MAX_TRANSFER_TEXT) => z.string().trim().max(max, `Use at most ${max} characters`).default('');
const ZWhen = (what: string) =>
  z
    .string({ error: `Give ${what} as a date and time` })
    .trim()
    .refine((value) => !Number.isNaN(Date.parse(value)), `Give ${what} as a date and time`)
    .transform((value) => new Date(value));

/**
 * zod skips an object's refinements once any field failed: a form missing both the service
 * and the ETA would learn of the ETA only on its second Send. The cross-field checks run
 * whenever the input is an object and the fields they read parsed (their values are then of their types).
 */
function whenFieldsParsed(fields: readonly string[]) {
  return (payload: { issues: readonly { path?: readonly PropertyKey[] }[] }) => !payload.issues.some((issue) => !issue.path?.length || fields.includes(String(issue.path[0])));
}

function vital(key: keyof typeof VITAL_SIGNS) {
  const sign = VITAL_SIGNS[key];
  const range = `${sign.label} must be between ${sign.min} and ${sign.max}`;
  const base = z.number({ error: `${sign.label} must be a number` }).min(sign.min, range).max(sign.max, range);
  return (sign.integer ? base.int(`${sign.label} must be a whole number`) : base).optional();
}

export const ZVitals = z
  .object({
    gcs: vital('gcs'),
    systolic: vital('systolic'),
    diastolic: vital('diastolic'),
    heartRate: vital('heartRate'),
    spo2: vital('spo2'),
    temperature: vital('temperature'),
    /** When they were taken (default: now) */
    takenAt: ZWhen('the time the vitals were taken').optional(),
  })
  .strict();
export type VitalsInput = z.input<typeof ZVitals>;

/** The ETA: a time, or minutes from now (what a phone form asks) */
const ZEta = {
  etaAt: ZWhen('the ETA').optional(),
  etaMinutes: z.number({ error: 'Give the ETA in minutes' }).int('Give the ETA in whole minutes').min(0, 'The ETA cannot be in the past').max(MAX_ETA_HOURS * 60, `An ETA is at most ${MAX_ETA_HOURS} hours away`).optional(),
};

export const ZSendTransfer = z
  .object({
    /** Made once by the form: a double-tapped Send (or a retried request) makes one notice */
    clientKey: z.string({ error: 'The form is out of date: reload it' }).trim().min(8, 'The form is out of date: reload it').max(64, 'The form is out of date: reload it'),
    /** An existing patient record of the sending facility (default: the first study's) */
    patientRef: z.string().trim().min(1).max(64).nullish(),
    /** The patient is not identified yet: a temporary ID is made (their images follow under it) */
    unidentified: z.boolean().default(false),
    studyInstanceUids: z.array(ZUid).max(MAX_TRANSFER_STUDIES, `At most ${MAX_TRANSFER_STUDIES} studies`).default([]),
    serviceId: z.string({ error: 'Choose the receiving service' }).trim().min(1, 'Choose the receiving service').max(64),
    condition: z.enum(TRANSFER_CONDITION_CODES as [TransferCondition, ...TransferCondition[]], { error: 'Choose the condition' }),
    suspectedDiagnosis: ZText(500),
    findings: ZText(),
    vitals: ZVitals.optional(),
    onsetAt: ZWhen('the time of onset').nullish(),
    onsetIsLastKnownWell: z.boolean().default(false),
    transportMode: z.enum(TRANSPORT_MODE_CODES as [TransportMode, ...TransportMode[]], { error: 'Choose the transport' }).default('GROUND'),
    ...ZEta,
    callbackPhone: z.string().trim().max(40, 'Use at most 40 characters').regex(/^[0-9+()./\s-]*$/, 'A phone number has digits, spaces and + ( ) - only').default(''),
    /** The sender confirmed vitals outside the physiological range */
    confirmVitals: z.boolean().default(false),
  })
  .superRefine(
    (value, context) => {
      if (value.etaAt === undefined && value.etaMinutes === undefined) context.addIssue({ code: 'custom', path: ['etaMinutes'], message: 'Give the ETA' });
      if (!value.patientRef && !value.unidentified && !value.studyInstanceUids.length) context.addIssue({ code: 'custom', path: ['patientRef'], message: 'Choose the patient (or a study), or mark the patient unidentified' });
    },
    // Also when another field is wrong (a missing service): the form shows every missing field at once
    { when: whenFieldsParsed(['etaAt', 'etaMinutes', 'patientRef', 'unidentified', 'studyInstanceUids']) },
  );
export type SendTransferInput = z.input<typeof ZSendTransfer>;

/** The sender's updates on the way: any of new vitals, a new ETA, more studies */
export const ZUpdateTransfer = z
  .object({
    vitals: ZVitals.optional(),
    ...ZEta,
    studyInstanceUids: z.array(ZUid).max(MAX_TRANSFER_STUDIES, `At most ${MAX_TRANSFER_STUDIES} studies`).default([]),
    confirmVitals: z.boolean().default(false),
    /** The revision the sender's page showed (optional: vitals and ETA are news, not edits of someone else's text) */
    revision: z.number().int().optional(),
  })
  .superRefine(
    (value, context) => {
      if (!value.vitals && value.etaAt === undefined && value.etaMinutes === undefined && !value.studyInstanceUids.length) context.addIssue({ code: 'custom', path: ['vitals'], message: 'Nothing to update: give vitals, an ETA or a study' });
    },
    { when: whenFieldsParsed(['vitals', 'etaAt', 'etaMinutes', 'studyInstanceUids']) },
  );
export type UpdateTransferInput = z.input<typeof ZUpdateTransfer>;

export const TRANSFER_ACTIONS = ['acknowledge', 'accept', 'redirect', 'arrive', 'cancel'] as const;
export type TransferAction = (typeof TRANSFER_ACTIONS)[number];

export const ZTransferAction = z.discriminatedUnion(
  'action',
  [
    z.object({ action: z.literal('acknowledge') }).strict(),
    z.object({ action: z.literal('accept'), note: ZText(500) }).strict(),
    z.object({
      action: z.literal('redirect'),
      serviceId: z.string({ error: 'Choose where to send it' }).trim().min(1, 'Choose where to send it').max(64),
      reason: z.string({ error: 'Say why it goes elsewhere' }).trim().min(1, 'Say why it goes elsewhere').max(1_000, 'Use at most 1000 characters'),
    }).strict(),
    z.object({ action: z.literal('arrive'), note: ZText(500) }).strict(),
    z.object({ action: z.literal('cancel'), reason: ZText(1_000) }).strict(),
  ],
  { error: 'Choose acknowledge, accept, redirect, arrive or cancel' },
);
export type TransferActionInput = z.input<typeof ZTransferAction>;

export const ZTransferMessage = z.object({
  body: z.string({ error: 'Write the message' }).trim().min(1, 'Write the message').max(MAX_TRANSFER_MESSAGE, `Use at most ${MAX_TRANSFER_MESSAGE} characters`),
});

/** The ETA an input asks for, or undefined */
export function etaOf(input: { etaAt?: Date; etaMinutes?: number }, now: Date): Date | undefined {
  if (input.etaAt) return input.etaAt;
  if (input.etaMinutes !== undefined) return new Date(now.getTime() + input.etaMinutes * 60_000);
  return undefined;
}
