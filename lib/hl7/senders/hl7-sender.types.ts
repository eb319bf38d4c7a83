import { z } from 'zod';

// MSH-3.1 / MSH-4.1 as the sender writes them: the HL7 delimiters (| field, ^ component,
// ~ repetition, \ escape, & subcomponent) cannot be part of a value that is compared as typed.
const HL7_DELIMITERS = /[|^~\\&]/;
// eslint-disable-next-line no-control-regex -- control characters are what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;

const namespaceId = (what: string, field: string) =>
  z
    .string({ error: `Enter the ${what} (${field})` })
    .trim()
    .min(1, `Enter the ${what} (${field})`)
    .max(180, 'Use at most 180 characters')
    .refine((value) => !HL7_DELIMITERS.test(value), 'Without the HL7 delimiters | ^ ~ \\ &')
    .refine((value) => !CONTROL.test(value), 'Without control characters');

export const ZHl7SenderRequest = z.object({
  application: namespaceId('sending application', 'MSH-3'),
  sendingFacility: namespaceId('sending facility', 'MSH-4'),
  description: z.string().trim().max(200, 'Use at most 200 characters').optional().default(''),
});
export type THl7SenderRequest = z.input<typeof ZHl7SenderRequest>;

/** A sender as the HL7 tab lists it; id null for one of HL7_SENDERS (read-only). */
export interface ListedHl7Sender {
  id: string | null;
  application: string;
  sendingFacility: string;
  description: string;
  source: 'configuration' | 'database';
  createdAt: Date | null;
}
