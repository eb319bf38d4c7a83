// Why a clinician opens a patient's images without consent (break-glass, issue 16),
// in words, and the limits: what the dialog, the review queue, the red banner and the
// audit view show. No zod here: the dialog imports it, and zod in a browser bundle
// trips the portal's CSP (its eval probe); the schemas are in override-reasons.ts.
export const OVERRIDE_REASONS = {
  UNCONSCIOUS: 'Patient unconscious or unable to consent',
  LIFE_THREATENING: 'Life-threatening emergency',
  TRANSFER: 'Emergency transfer',
  OTHER: 'Other (explain)',
} as const;

export type OverrideReasonCode = keyof typeof OVERRIDE_REASONS;
export const OVERRIDE_REASON_CODES = Object.keys(OVERRIDE_REASONS) as OverrideReasonCode[];

export const MAX_OVERRIDE_REASON_TEXT = 500;
/** An override runs this long unless asked shorter (whole hours, 1 to 4): the default and limit */
export const DEFAULT_OVERRIDE_HOURS = 4;
export const MAX_OVERRIDE_HOURS = 4;

/** "Life-threatening emergency", or "Other: <text>"; the stored code when it is no longer listed. */
export function overrideReasonWords(reasonCode: string, reasonText = ''): string {
  // An emergency transfer notice's vital-interest basis (lib/transfers): not offered in the dialog
  if (reasonCode === 'TRANSFER_NOTICE') return reasonText ? `Emergency transfer notice, vital interest (${reasonText})` : 'Emergency transfer notice, vital interest';
  const words = Object.hasOwn(OVERRIDE_REASONS, reasonCode) ? OVERRIDE_REASONS[reasonCode as OverrideReasonCode] : reasonCode;
  if (reasonCode === 'OTHER') return reasonText ? `Other: ${reasonText}` : 'Other';
  return reasonText ? `${words} (${reasonText})` : words;
}
