// When a second-opinion case is due: the receiving service's turnaround for
// the case's priority (set by the service's facility administrator, in whole
// minutes on Service), counted in clock time from when the case is sent —
// nights and weekends included. A case addressed to a named expert, who has
// no service, uses the node's defaults.

export const REFERRAL_PRIORITIES = ['ROUTINE', 'URGENT', 'STAT'] as const;
export type ReferralPriority = (typeof REFERRAL_PRIORITIES)[number];

export function isReferralPriority(value: unknown): value is ReferralPriority {
  return typeof value === 'string' && (REFERRAL_PRIORITIES as readonly string[]).includes(value);
}

/** The turnaround a service has before its admin changes it (the schema's defaults): stat 1 h, urgent 6 h, routine 3 days. */
export const DEFAULT_TURNAROUND_MINUTES: Readonly<Record<ReferralPriority, number>> = Object.freeze({ STAT: 60, URGENT: 360, ROUTINE: 4320 });

/** The three turnaround columns of a Service row. */
export interface ServiceTurnaround {
  turnaroundStatMinutes: number;
  turnaroundUrgentMinutes: number;
  turnaroundRoutineMinutes: number;
}

const COLUMN: Record<ReferralPriority, keyof ServiceTurnaround> = {
  STAT: 'turnaroundStatMinutes',
  URGENT: 'turnaroundUrgentMinutes',
  ROUTINE: 'turnaroundRoutineMinutes',
};

/**
 * Minutes a case of this priority has at this service; the defaults without a
 * service (a named expert's case). A stored value that is not a positive whole
 * number (only a hand edit of the database makes one) counts as the default,
 * so that no case is due the moment it is sent.
 */
export function turnaroundMinutes(service: ServiceTurnaround | null, priority: ReferralPriority): number {
  if (!isReferralPriority(priority)) throw new TypeError(`unknown referral priority ${String(priority)}`);
  const value = service?.[COLUMN[priority]];
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : DEFAULT_TURNAROUND_MINUTES[priority];
}

/** The due time of a case sent at `from` with this priority to this service (null: a named expert). */
export function dueAtFor(service: ServiceTurnaround | null, priority: ReferralPriority, from: Date): Date {
  return new Date(from.getTime() + turnaroundMinutes(service, priority) * 60_000);
}

/** A turnaround as an administrator reads it: "45 min", "1 h", "1 h 30 min", "6 h", "3 d", "36 h". */
export function formatTurnaround(minutes: number): string {
  if (minutes >= 1440 && minutes % 1440 === 0) return `${minutes / 1440} d`;
  if (minutes >= 60 && minutes % 60 === 0) return `${minutes / 60} h`;
  if (minutes > 60) return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  return `${minutes} min`;
}
