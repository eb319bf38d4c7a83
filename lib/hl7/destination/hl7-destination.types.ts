// Where a facility's signed reports go as ORU^R01 (lib/hl7/report): the RIS's
// MLLP endpoint and the names it expects in MSH-5/MSH-6. One per facility.
import { z } from 'zod';
import { zHost, zPort } from '../../dicom-peers/dicom-peer.types';

// MSH-5/6 are HD values: the field, component, repetition, escape and
// subcomponent separators (| ^ ~ \ &) and control characters would change
// the message's structure, so they are refused rather than escaped.
const HL7_NAME = /^[^|^~\\&\u0000-\u001f\u007f]*$/;

function hl7Name(label: string) {
  return z
    .string({ error: `${label}: text` })
    .trim()
    .max(180, `${label}: at most 180 characters`)
    .refine((value) => HL7_NAME.test(value), `${label}: no | ^ ~ \\ & or control characters`)
    .optional()
    .default('');
}

export const ZHl7DestinationRequest = z
  .object({
    host: zHost('ris.hospital.org'),
    port: zPort,
    /** MSH-5: the receiving application, as the RIS expects it (e.g. RIS) */
    receivingApplication: hl7Name('Receiving application'),
    /** MSH-6: the receiving facility (e.g. HOSPITAL) */
    receivingFacility: hl7Name('Receiving facility'),
    /** Off: signed reports are not sent (nothing is queued) until it is on again */
    enabled: z.boolean({ error: 'Enabled is true or false' }).optional().default(true),
  })
  .strict();
export type THl7DestinationRequest = z.input<typeof ZHl7DestinationRequest>;

/** What the admin API answers and the form shows */
export interface Hl7DestinationView {
  host: string;
  port: number;
  receivingApplication: string;
  receivingFacility: string;
  enabled: boolean;
  updatedAt: string;
}

export function hl7DestinationView(row: { host: string; port: number; receivingApplication: string; receivingFacility: string; enabled: boolean; updatedAt: Date }): Hl7DestinationView {
  return { host: row.host, port: row.port, receivingApplication: row.receivingApplication, receivingFacility: row.receivingFacility, enabled: row.enabled, updatedAt: row.updatedAt.toISOString() };
}
