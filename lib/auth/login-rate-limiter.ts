// Login throttling, in memory (one process per facility; a restart forgets,
// which is acceptable for throttling). Counted per email, which stops guessing
// one account's password, and per address, which stops spraying many accounts.
// The per-address limit is higher because a whole hospital often shares one
// NAT address: five typos across a ward must not lock everyone out.

export interface RateLimitRule {
  maxFailures: number;
  windowMs: number;
}

export type RateLimitDecision = { limited: false } | { limited: true; retryAfterSeconds: number };

export const DEFAULT_LOGIN_LIMITS = {
  perEmail: { maxFailures: 5, windowMs: 15 * 60_000 },
  perAddress: { maxFailures: 20, windowMs: 15 * 60_000 },
} satisfies Record<string, RateLimitRule>;

// Bounds memory under a flood of distinct emails/addresses.
const MAX_TRACKED_KEYS = 10_000;

/** Failure times per key ("email:..", "address:.."), oldest first. */
export type LoginFailures = Map<string, number[]>;

export class LoginRateLimiter {
  constructor(
    private readonly failures: LoginFailures = new Map(),
    private readonly limits: { perEmail: RateLimitRule; perAddress: RateLimitRule } = DEFAULT_LOGIN_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  check(address: string, email: string): RateLimitDecision {
    const waits = [
      this.waitFor(`email:${email.toLowerCase()}`, this.limits.perEmail),
      this.waitFor(`address:${address}`, this.limits.perAddress),
    ];
    const longest = Math.max(...waits);
    return longest > 0 ? { limited: true, retryAfterSeconds: Math.ceil(longest / 1000) } : { limited: false };
  }

  recordFailure(address: string, email: string): void {
    if (this.failures.size >= MAX_TRACKED_KEYS) this.prune();
    for (const key of [`email:${email.toLowerCase()}`, `address:${address}`]) {
      const list = this.failures.get(key) ?? [];
      list.push(this.now());
      this.failures.set(key, list);
    }
  }

  /** A correct password clears that account's count, not the address's (one valid account must not reset a spray). */
  recordSuccess(email: string): void {
    this.failures.delete(`email:${email.toLowerCase()}`);
  }

  /** Milliseconds until the key may try again; 0 when it may now. */
  private waitFor(key: string, rule: RateLimitRule): number {
    const now = this.now();
    const recent = (this.failures.get(key) ?? []).filter((at) => at > now - rule.windowMs);
    if (recent.length === 0) this.failures.delete(key);
    else this.failures.set(key, recent);
    if (recent.length < rule.maxFailures) return 0;
    // The oldest failure that still counts must leave the window first.
    return recent[recent.length - rule.maxFailures] + rule.windowMs - now;
  }

  private prune(): void {
    const horizon = this.now() - Math.max(this.limits.perEmail.windowMs, this.limits.perAddress.windowMs);
    for (const [key, list] of this.failures) {
      if (list[list.length - 1] <= horizon) this.failures.delete(key);
    }
    // Still full: drop the oldest keys (Map keeps insertion order).
    for (const key of this.failures.keys()) {
      if (this.failures.size < MAX_TRACKED_KEYS) break;
      this.failures.delete(key);
    }
  }
}

/**
 * The process's limiter. Its state lives in the runtime's shared map so that
 * every Next bundle and the DICOMweb layer count together; only plain data is
 * kept there, because each bundle has its own copy of this class.
 */
export function loginRateLimiterFor(shared: Map<string, unknown>): LoginRateLimiter {
  const key = 'auth.loginFailures';
  if (!shared.has(key)) shared.set(key, new Map<string, number[]>());
  return new LoginRateLimiter(shared.get(key) as LoginFailures);
}
