import { z } from 'zod';
import { LANGUAGES } from '../../pacs-core/dicom/report/report-codes';

/** The languages a facility may write its reports in (RFC 5646 tag → name): the SR's Language of Content (TID 1204) */
export const REPORT_LANGUAGES: readonly { tag: string; name: string }[] = Object.entries(LANGUAGES).map(([tag, code]) => ({ tag, name: code.CodeMeaning }));
const ZReportLanguage = z.enum(Object.keys(LANGUAGES) as [string, ...string[]], { error: `Report language: one of ${Object.keys(LANGUAGES).join(', ')}` });

const trimmed = (label: string, max: number) => z.string({ error: `${label}: text` }).trim().max(max, `${label}: at most ${max} characters`);

export const ZFacilityFields = z.object({
  name: trimmed('Name', 120).min(1, 'Enter the facility name'),
  address: trimmed('Address', 300),
  phone: trimmed('Phone', 40).regex(/^[0-9+()./ -]*$/, 'Phone: digits, spaces and + ( ) . / - only'),
  reportLanguage: ZReportLanguage,
});

// The code is the default IssuerOfPatientID of what the facility stores
// (schema: Facility.code), so it is chosen once, at creation, and never changed.
export const ZCreateFacilityRequest = ZFacilityFields.extend({
  address: ZFacilityFields.shape.address.default(''),
  phone: ZFacilityFields.shape.phone.default(''),
  reportLanguage: ZReportLanguage.default('en'),
  code: z
    .string({ error: 'Enter a short code' })
    .trim()
    .toUpperCase()
    .min(2, 'Code: 2 to 16 characters')
    .max(16, 'Code: 2 to 16 characters')
    .regex(/^[A-Z0-9_-]+$/, 'Code: letters, digits, - and _ only (e.g. VALLEY)'),
}).strict();
export type TCreateFacilityRequest = z.input<typeof ZCreateFacilityRequest>;

export const ZUpdateFacilityRequest = ZFacilityFields.partial()
  .strict()
  .refine((fields) => Object.keys(fields).length > 0, 'Send at least one of name, address, phone, reportLanguage');
export type TUpdateFacilityRequest = z.input<typeof ZUpdateFacilityRequest>;

export interface FacilitySummary {
  id: string;
  code: string;
  name: string;
  address: string;
  phone: string;
  /** RFC 5646 tag: the language of the facility's reports (REPORT_LANGUAGES) */
  reportLanguage: string;
  disabledAt: string | null;
  hasLogo: boolean;
  members: number;
  services: number;
}
