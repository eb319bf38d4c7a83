// The checks of a notice's times and vitals beyond their form (transfer-schemas.ts): an
// ETA in the past or days away, an onset in the future, vitals outside the physiological
// range (asked again, not refused: CONFIRMATION_REQUIRED until the sender confirms).
import { DomainError } from '../errors';
import type { z } from 'zod';
import type { ZVitals } from './transfer-schemas';
import { MAX_ETA_HOURS, unusualVitals, VITAL_SIGN_KEYS, type Vitals } from './transfer-words';

/** A clock a few minutes apart between phone and server is fine; an ETA an hour ago is a mistake */
const PAST_SLACK_MS = 10 * 60_000;

export function checkEta(etaAt: Date, now: Date): Date {
  if (etaAt.getTime() < now.getTime() - PAST_SLACK_MS) throw new DomainError('INVALID_INPUT', 'ETA in the past', { userMessage: 'The ETA is in the past.', fields: { etaMinutes: 'The ETA is in the past' } });
  if (etaAt.getTime() > now.getTime() + MAX_ETA_HOURS * 3_600_000) throw new DomainError('INVALID_INPUT', 'ETA too far', { userMessage: `An ETA is at most ${MAX_ETA_HOURS} hours away.`, fields: { etaMinutes: `An ETA is at most ${MAX_ETA_HOURS} hours away` } });
  return etaAt;
}

export function checkOnset(onsetAt: Date | null, now: Date): void {
  if (onsetAt && onsetAt.getTime() > now.getTime() + PAST_SLACK_MS) throw new DomainError('INVALID_INPUT', 'onset in the future', { userMessage: 'The time of onset is in the future.', fields: { onsetAt: 'The time of onset is in the future' } });
}

/** The vitals to store (with takenAt), or CONFIRMATION_REQUIRED naming each unusual value. */
export function checkedVitals(input: z.output<typeof ZVitals>, confirmed: boolean, now: Date): Vitals {
  const vitals: Vitals = {};
  for (const key of VITAL_SIGN_KEYS) if (input[key] !== undefined) vitals[key] = input[key];
  if (!VITAL_SIGN_KEYS.some((key) => vitals[key] !== undefined)) throw new DomainError('INVALID_INPUT', 'empty vitals', { userMessage: 'Give at least one vital sign.', fields: { vitals: 'Give at least one vital sign' } });
  const takenAt = input.takenAt ?? now;
  if (takenAt.getTime() > now.getTime() + PAST_SLACK_MS) throw new DomainError('INVALID_INPUT', 'vitals in the future', { userMessage: 'The vitals cannot be taken in the future.', fields: { 'vitals.takenAt': 'The time is in the future' } });
  const unusual = unusualVitals(vitals);
  if (!confirmed && Object.keys(unusual).length) {
    const fields = Object.fromEntries(Object.entries(unusual).map(([key, message]) => [`vitals.${key}`, message as string]));
    throw new DomainError('CONFIRMATION_REQUIRED', 'unusual vitals', { userMessage: `Check these values: ${Object.values(unusual).join(' ')} Send again to confirm them.`, fields, details: { confirm: 'vitals' } });
  }
  return { ...vitals, takenAt: takenAt.toISOString() };
}
