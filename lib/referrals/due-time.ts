// PLACEHOLDER (the turnaround helper's version replaces this file at merge)
export const REFERRAL_PRIORITIES = ['ROUTINE', 'URGENT', 'STAT'] as const;
export type ReferralPriority = (typeof REFERRAL_PRIORITIES)[number];
export const DEFAULT_TURNAROUND_MINUTES: Record<ReferralPriority, number> = { STAT: 60, URGENT: 360, ROUTINE: 4320 };
type Turnaround = { turnaroundStatMinutes: number; turnaroundUrgentMinutes: number; turnaroundRoutineMinutes: number };
export function turnaroundMinutes(service: Turnaround | null, priority: ReferralPriority): number {
  if (!service) return DEFAULT_TURNAROUND_MINUTES[priority];
  return priority === 'STAT' ? service.turnaroundStatMinutes : priority === 'URGENT' ? service.turnaroundUrgentMinutes : service.turnaroundRoutineMinutes;
}
export function dueAtFor(service: Turnaround | null, priority: ReferralPriority, from: Date): Date {
  return new Date(from.getTime() + turnaroundMinutes(service, priority) * 60_000);
}
