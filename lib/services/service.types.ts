import { z } from 'zod';
import type { ServiceTurnaround } from '../referrals/due-time';
import { ZTransferSettingFields } from './service-transfer-settings';
import { ZTurnaroundFields } from './service-turnaround';
import type { ServiceTransferSettings } from './transfer-settings-limits';

const ZServiceName = z.string({ error: 'Enter the service name' }).trim().min(1, 'Enter the service name').max(120, 'Name: at most 120 characters');
const ZServiceCode = z
  .string({ error: 'Code: text' })
  .trim()
  .toUpperCase()
  .max(16, 'Code: at most 16 characters')
  .regex(/^[A-Z0-9_-]*$/, 'Code: letters, digits, - and _ only (e.g. NEURO)')
  // An empty code is no code
  .transform((code) => (code === '' ? null : code));
const ZServiceDescription = z.string({ error: 'Description: text' }).trim().max(500, 'Description: at most 500 characters');

export const ZCreateServiceRequest = z
  .object({ name: ZServiceName, code: ZServiceCode.optional().transform((code) => code ?? null), description: ZServiceDescription.default('') })
  .strict();
export type TCreateServiceRequest = z.input<typeof ZCreateServiceRequest>;

export const ZUpdateServiceRequest = z
  .object({
    name: ZServiceName.optional(),
    code: ZServiceCode.optional(),
    description: ZServiceDescription.optional(),
    disabled: z.boolean({ error: 'disabled: true or false' }).optional(),
    // Second-opinion turnaround, whole minutes (lib/services/service-turnaround.ts)
    ...ZTurnaroundFields,
    // Emergency transfers: escalation in whole minutes, image access in whole hours (lib/services/transfer-settings-limits.ts)
    ...ZTransferSettingFields,
  })
  .strict()
  .refine(
    (fields) => Object.values(fields).some((value) => value !== undefined),
    'Send at least one of name, code, description, disabled, turnaroundStatMinutes, turnaroundUrgentMinutes, turnaroundRoutineMinutes, transferEscalationMinutes, transferAccessHours',
  );
export type TUpdateServiceRequest = z.input<typeof ZUpdateServiceRequest>;

export const ZAddServiceMemberRequest = z.object({ userId: z.string({ error: 'Choose a member of the facility' }).min(1, 'Choose a member of the facility') }).strict();

export interface ServicePerson {
  userId: string;
  name: string;
  email: string;
}

export interface FacilityServices {
  facility: { id: string; name: string; code: string; disabled: boolean };
  /** Who may be added to a service: the facility's enabled members */
  facilityMembers: ServicePerson[];
  services: ServiceView[];
}

/** A member of a service; onCall: told when an emergency-transfer alarm escalates */
export interface ServiceMemberView extends ServicePerson {
  onCall: boolean;
}

/**
 * turnaroundStatMinutes, turnaroundUrgentMinutes, turnaroundRoutineMinutes: whole minutes, as PATCH takes them;
 * transferEscalationMinutes (whole minutes), transferAccessHours (whole hours): emergency transfers
 */
export interface ServiceView extends ServiceTurnaround, ServiceTransferSettings {
  id: string;
  name: string;
  code: string | null;
  description: string;
  disabledAt: string | null;
  members: ServiceMemberView[];
}
