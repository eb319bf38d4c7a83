// How long an API token lives. A token is a password a script keeps in a
// file; one that never expires outlives the person and the integration that
// needed it. Pure functions: the token page (a client component) uses them too.

/** The lifetime of a new token when none is chosen. */
export const DEFAULT_API_TOKEN_LIFETIME_DAYS = 90;
/** The longest lifetime that can be chosen: a yearly renewal is the most an integration should go without one. */
export const MAX_API_TOKEN_LIFETIME_DAYS = 365;

const DAY_MS = 24 * 3600_000;

export function apiTokenExpiry(lifetimeDays: number, now: Date): Date {
  return new Date(now.getTime() + lifetimeDays * DAY_MS);
}

export type ApiTokenState = 'active' | 'expired' | 'revoked' | 'never-expires';

/**
 * A token's state and its expiry in words: "expires in 89 days", "expires in
 * less than a day", "expired", "never expires" (a token made before tokens had
 * a lifetime: still accepted, flagged so its owner replaces it).
 */
export function describeApiTokenExpiry(token: { expiresAt: Date | string | null; revokedAt?: Date | string | null }, now: number): { state: ApiTokenState; text: string } {
  if (token.revokedAt) return { state: 'revoked', text: 'revoked' };
  if (!token.expiresAt) return { state: 'never-expires', text: 'never expires' };
  const left = new Date(token.expiresAt).getTime() - now;
  if (left <= 0) return { state: 'expired', text: 'expired' };
  // Whole days left, rounded down: "89 days" a moment after a 90-day token is made.
  const days = Math.floor(left / DAY_MS);
  return { state: 'active', text: days === 0 ? 'expires in less than a day' : `expires in ${days} day${days === 1 ? '' : 's'}` };
}
