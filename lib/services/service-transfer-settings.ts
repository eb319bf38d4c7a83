// The zod side of a service's emergency-transfer settings
// (lib/services/transfer-settings-limits.ts holds the ranges and words).
import { z } from 'zod';
import { TRANSFER_SETTING_LIMITS, type TransferSettingField } from './transfer-settings-limits';

function transferSettingSchema(field: TransferSettingField) {
  const { label, unit, min, max, range } = TRANSFER_SETTING_LIMITS[field];
  const outOfRange = `${label}: between ${range}`;
  return z
    .number({ error: `${label}: enter a number of ${unit}` })
    .int(`${label}: whole ${unit}`)
    .min(min, outOfRange)
    .max(max, outOfRange);
}

export const ZTransferSettingFields = {
  transferEscalationMinutes: transferSettingSchema('transferEscalationMinutes').optional(),
  transferAccessHours: transferSettingSchema('transferAccessHours').optional(),
};

export const ZSetOnCallRequest = z.object({ onCall: z.boolean({ error: 'onCall: true or false' }) }).strict();
