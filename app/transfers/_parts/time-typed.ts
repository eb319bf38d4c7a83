// A time typed on a phone ("14:05") as the moment it means: today, or yesterday when that
// is still to come (an onset before midnight, sent after it). A few minutes ahead is a
// clock difference, not yesterday.

const AHEAD_SLACK_MS = 10 * 60_000;

/** The ISO moment of "HH:MM" in the reader's zone, or undefined for anything else */
export function typedTimeToIso(hhmm: string, now = new Date()): string | undefined {
  const match = /^(\d{1,2}):(\d{2})$/.exec(hhmm.trim());
  if (!match || Number(match[1]) > 23 || Number(match[2]) > 59) return undefined;
  const at = new Date(now);
  at.setHours(Number(match[1]), Number(match[2]), 0, 0);
  if (at.getTime() > now.getTime() + AHEAD_SLACK_MS) at.setDate(at.getDate() - 1);
  return at.toISOString();
}
