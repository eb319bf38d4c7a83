// A service's emergency-transfer settings as its facility administrator sets
// them (issue 17), zod-free so that the admin form can show the same ranges:
// - transferEscalationMinutes: an alarm nobody on the service has acknowledged
//   escalates (on-call list, facility admins, mail, webhook) after this long.
//   At most an hour: a pre-notified patient is often less than an hour away.
// - transferAccessHours: the notice's images stay readable by the service this
//   long after the ETA (then the arrival). At most a week: the vital-interest
//   basis covers the emergency, not the stay; longer needs consent or a referral.
export type TransferSettingField = 'transferEscalationMinutes' | 'transferAccessHours';

export type ServiceTransferSettings = Record<TransferSettingField, number>;

export const TRANSFER_SETTING_LIMITS: Readonly<Record<TransferSettingField, { label: string; unit: string; min: number; max: number; range: string }>> = {
  transferEscalationMinutes: { label: 'Escalate after', unit: 'minutes', min: 1, max: 60, range: '1 and 60 minutes' },
  transferAccessHours: { label: 'Images readable for', unit: 'hours', min: 1, max: 168, range: '1 and 168 hours (7 days)' },
};

/** What a service has before its admin changes it (the schema's defaults). */
export const DEFAULT_TRANSFER_SETTINGS: Readonly<ServiceTransferSettings> = Object.freeze({ transferEscalationMinutes: 2, transferAccessHours: 24 });
