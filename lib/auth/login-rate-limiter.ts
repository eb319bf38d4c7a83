// Login throttling, in memory, and mirrored in Redis when the node runs
// several processes (REDIS_URL: a guesser spread over the processes is counted
// once; a restart of everything forgets, which is acceptable for throttling). It must slow a guesser without
// letting anyone lock a colleague out by typing wrong passwords for them:
//
// - per account AND address (5 failures / 15 min): a guesser at one address
//   stops there, while the owner at their usual address is not affected;
// - per address (20 / 15 min): stops spraying many accounts; higher because
//   a whole hospital often shares one NAT address;
// - per account across all addresses, a growing DELAY, never a lock: past
//   10 failures in 15 min each further attempt waits 1 s, 2 s, 4 s… (at most
//   a minute) after the last failure, which slows a guesser with many
//   addresses to a crawl and costs the owner seconds;
// - a KNOWN DEVICE (a browser that signed in to this account before: the
//   known-device cookie, known-device.ts) is counted on its own (5 / 15 min)
//   instead of by address and account, so nothing done elsewhere slows it.
// Attempts refused by throttling are not counted (they checked no password).

export interface RateLimitRule {
  maxFailures: number;
  windowMs: number;
}

export interface DelayRule {
  /** Failures within the window before the delay starts */
  freeFailures: number;
  windowMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface LoginLimits {
  perAccountAndAddress: RateLimitRule;
  perAddress: RateLimitRule;
  perDevice: RateLimitRule;
  perAccount: DelayRule;
}

export type RateLimitDecision = { limited: false } | { limited: true; retryAfterSeconds: number };

const WINDOW_MS = 15 * 60_000;

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perAccountAndAddress: { maxFailures: 5, windowMs: WINDOW_MS },
  perAddress: { maxFailures: 20, windowMs: WINDOW_MS },
  perDevice: { maxFailures: 5, windowMs: WINDOW_MS },
  perAccount: { freeFailures: 10, windowMs: WINDOW_MS, baseDelayMs: 1000, maxDelayMs: 60_000 },
};

// Bounds memory under a flood of distinct emails/addresses.
const MAX_TRACKED_KEYS = 10_000;

/** Failure times per key ("account:..", "address:..", "account+address:..", "device:.."), oldest first. */
export type LoginFailures = Map<string, number[]>;

/** Who is trying: the account (email as typed), from where, and the known device it presents (if any). */
export interface LoginAttempt {
  address: string;
  email: string;
  /** Set only when the known-device cookie verified for this account */
  deviceId?: string;
}

/** Where the counts of every process meet (login-failures-mirror.ts); absent: this process's counts only */
export interface LoginFailuresMirror {
  /** The keys' failure times as every process recorded them */
  load(keys: readonly string[]): Promise<Map<string, number[]>>;
  add(keys: readonly string[], at: number): void;
  remove(keys: readonly string[]): void;
}

export class LoginRateLimiter {
  constructor(
    private readonly failures: LoginFailures = new Map(),
    private readonly limits: LoginLimits = DEFAULT_LOGIN_LIMITS,
    private readonly now: () => number = Date.now,
    private readonly mirror?: LoginFailuresMirror,
  ) {}

  /** Brings the attempt's counts up to date from the other processes (a no-op without a mirror); before check() */
  async prepare(attempt: LoginAttempt): Promise<void> {
    if (!this.mirror) return;
    const keys = Object.values(this.keysOf(attempt)).filter((key): key is string => key !== undefined);
    for (const [key, times] of await this.mirror.load(keys)) {
      if (times.length) this.failures.set(key, times);
      else this.failures.delete(key);
    }
  }

  check(attempt: LoginAttempt): RateLimitDecision {
    const keys = this.keysOf(attempt);
    const waits = attempt.deviceId
      ? [this.waitFor(keys.device!, this.limits.perDevice)]
      : [
          this.waitFor(keys.accountAndAddress, this.limits.perAccountAndAddress),
          this.waitFor(keys.address, this.limits.perAddress),
          this.delayFor(keys.account, this.limits.perAccount),
        ];
    const longest = Math.max(...waits);
    return longest > 0 ? { limited: true, retryAfterSeconds: Math.ceil(longest / 1000) } : { limited: false };
  }

  recordFailure(attempt: LoginAttempt): void {
    if (this.failures.size >= MAX_TRACKED_KEYS) this.prune();
    const keys = this.keysOf(attempt);
    // A known device's failures still count for the account (the growing delay
    // for everyone else), not for the address it shares with others.
    const counted = attempt.deviceId ? [keys.device!, keys.account] : [keys.accountAndAddress, keys.address, keys.account];
    const at = this.now();
    for (const key of counted) {
      const list = this.failures.get(key) ?? [];
      list.push(at);
      this.failures.set(key, list);
    }
    this.mirror?.add(counted, at);
  }

  /**
   * A correct password clears the account's counts, not the address's (one
   * valid account must not reset a spray); from a known device, not the
   * count of others at its address either.
   */
  recordSuccess(attempt: LoginAttempt): void {
    const keys = this.keysOf(attempt);
    const cleared = [keys.account, keys.device ?? keys.accountAndAddress];
    for (const key of cleared) this.failures.delete(key);
    this.mirror?.remove(cleared);
  }

  private keysOf(attempt: LoginAttempt) {
    const email = attempt.email.trim().toLowerCase();
    return {
      account: `account:${email}`,
      address: `address:${attempt.address}`,
      accountAndAddress: `account+address:${email}\u0000${attempt.address}`,
      device: attempt.deviceId ? `device:${email}\u0000${attempt.deviceId}` : undefined,
    };
  }

  private recent(key: string, windowMs: number): number[] {
    const now = this.now();
    const recent = (this.failures.get(key) ?? []).filter((at) => at > now - windowMs);
    if (recent.length === 0) this.failures.delete(key);
    else this.failures.set(key, recent);
    return recent;
  }

  /** Milliseconds until the key may try again; 0 when it may now. */
  private waitFor(key: string, rule: RateLimitRule): number {
    const recent = this.recent(key, rule.windowMs);
    if (recent.length < rule.maxFailures) return 0;
    // The oldest failure that still counts must leave the window first.
    return recent[recent.length - rule.maxFailures] + rule.windowMs - this.now();
  }

  /** The growing delay after the last failure; 0 while under the free failures. */
  private delayFor(key: string, rule: DelayRule): number {
    const recent = this.recent(key, rule.windowMs);
    if (recent.length < rule.freeFailures) return 0;
    const delay = Math.min(rule.baseDelayMs * 2 ** Math.min(recent.length - rule.freeFailures, 30), rule.maxDelayMs);
    return Math.max(0, recent[recent.length - 1] + delay - this.now());
  }

  private prune(): void {
    const horizon = this.now() - WINDOW_MS;
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
export function loginRateLimiterFor(shared: Map<string, unknown>, limits: LoginLimits = DEFAULT_LOGIN_LIMITS, mirror?: LoginFailuresMirror): LoginRateLimiter {
  const key = 'auth.loginFailures';
  if (!shared.has(key)) shared.set(key, new Map<string, number[]>());
  return new LoginRateLimiter(shared.get(key) as LoginFailures, limits, Date.now, mirror);
}

export { WINDOW_MS as LOGIN_WINDOW_MS };
