// A service's second-opinion turnaround as its facility administrator sets it:
// three whole numbers of minutes (stat, urgent, routine), each within a range
// that makes sense for that priority, and never a more urgent priority with a
// longer time than a less urgent one. lib/referrals/due-time.ts uses them.
import { z } from 'zod';
import { formatTurnaround, type ServiceTurnaround } from '../referrals/due-time';
import { AdminError } from '../admin/errors';

export type TurnaroundField = keyof ServiceTurnaround;

/** Allowed minutes per field, and the word the form and messages use. */
export const TURNAROUND_LIMITS: Readonly<Record<TurnaroundField, { label: string; min: number; max: number; range: string }>> = {
  turnaroundStatMinutes: { label: 'Stat', min: 5, max: 24 * 60, range: '5 minutes and 24 hours' },
  turnaroundUrgentMinutes: { label: 'Urgent', min: 15, max: 7 * 24 * 60, range: '15 minutes and 7 days' },
  turnaroundRoutineMinutes: { label: 'Routine', min: 60, max: 60 * 24 * 60, range: '1 hour and 60 days' },
};

/** From the most to the least urgent: each at most the next. */
const ORDER: TurnaroundField[] = ['turnaroundStatMinutes', 'turnaroundUrgentMinutes', 'turnaroundRoutineMinutes'];

function turnaroundSchema(field: TurnaroundField) {
  const { label, min, max, range } = TURNAROUND_LIMITS[field];
  const outOfRange = `${label}: between ${range}`;
  return z
    .number({ error: `${label}: enter a number` })
    .int(`${label}: whole minutes`)
    .min(min, outOfRange)
    .max(max, outOfRange);
}

export const ZTurnaroundFields = {
  turnaroundStatMinutes: turnaroundSchema('turnaroundStatMinutes').optional(),
  turnaroundUrgentMinutes: turnaroundSchema('turnaroundUrgentMinutes').optional(),
  turnaroundRoutineMinutes: turnaroundSchema('turnaroundRoutineMinutes').optional(),
};

/**
 * INVALID_INPUT when the turnaround the service would have after this change
 * puts a more urgent priority after a less urgent one. The message goes on the
 * field that was sent (the longer one when both were): that is the one to fix.
 */
export function assertTurnaroundInOrder(before: ServiceTurnaround, change: Partial<ServiceTurnaround>): void {
  const after: ServiceTurnaround = { ...before };
  for (const field of ORDER) if (change[field] !== undefined) after[field] = change[field];
  const fields: Record<string, string> = {};
  for (let index = 0; index < ORDER.length - 1; index += 1) {
    const shorter = ORDER[index];
    const longer = ORDER[index + 1];
    // A pair this change leaves alone is not this change's fault (only a hand edit makes one out of order)
    if (after[shorter] <= after[longer] || (change[shorter] === undefined && change[longer] === undefined)) continue;
    const { label: shorterLabel } = TURNAROUND_LIMITS[shorter];
    const { label: longerLabel } = TURNAROUND_LIMITS[longer];
    if (change[longer] !== undefined) fields[longer] ??= `${longerLabel}: not shorter than ${shorterLabel.toLowerCase()} (${formatTurnaround(after[shorter])})`;
    else fields[shorter] ??= `${shorterLabel}: not longer than ${longerLabel.toLowerCase()} (${formatTurnaround(after[longer])})`;
  }
  if (Object.keys(fields).length) throw new AdminError('INVALID_INPUT', 'A more urgent priority cannot have a longer turnaround.', fields);
}
