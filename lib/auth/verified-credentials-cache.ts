// HTTP Basic sends the password with every request, and argon2 takes ~50 ms on
// purpose: a viewer fetching 500 frames would spend 25 s hashing. A success is
// remembered briefly, keyed by an HMAC of email+password under a per-process
// random key (so the cache holds nothing that can be cracked offline), and
// tied to the stored hash (so a password change takes effect at once).
import { createHmac, randomBytes } from 'node:crypto';

const CACHE_TTL_MS = 60_000;
const MAX_ENTRIES = 1_000;

interface CachedVerification {
  userId: string;
  passwordHash: string;
  expiresAt: number;
}

interface CacheState {
  key: Buffer;
  entries: Map<string, CachedVerification>;
}

export class VerifiedCredentialsCache {
  constructor(private readonly state: CacheState = { key: randomBytes(32), entries: new Map() }) {}

  private keyFor(email: string, password: string): string {
    return createHmac('sha256', this.state.key).update(`${email}\u0000${password}`).digest('hex');
  }

  /** The user id when these credentials verified recently against this stored hash. */
  lookup(email: string, password: string, currentPasswordHash: string, now = Date.now()): string | undefined {
    const cacheKey = this.keyFor(email, password);
    const entry = this.state.entries.get(cacheKey);
    if (!entry) return undefined;
    if (entry.expiresAt <= now || entry.passwordHash !== currentPasswordHash) {
      this.state.entries.delete(cacheKey);
      return undefined;
    }
    return entry.userId;
  }

  remember(email: string, password: string, userId: string, passwordHash: string, now = Date.now()): void {
    if (this.state.entries.size >= MAX_ENTRIES) {
      for (const [cacheKey, entry] of this.state.entries) if (entry.expiresAt <= now) this.state.entries.delete(cacheKey);
      // Still full: forget the oldest (Map keeps insertion order).
      const oldest = this.state.entries.keys().next();
      if (this.state.entries.size >= MAX_ENTRIES && !oldest.done) this.state.entries.delete(oldest.value);
    }
    this.state.entries.set(this.keyFor(email, password), { userId, passwordHash, expiresAt: now + CACHE_TTL_MS });
  }
}

/** The process's cache; plain state in the runtime's shared map (each bundle has its own copy of the class). */
export function verifiedCredentialsCacheFor(shared: Map<string, unknown>): VerifiedCredentialsCache {
  const key = 'auth.verifiedCredentials';
  if (!shared.has(key)) shared.set(key, { key: randomBytes(32), entries: new Map<string, CachedVerification>() } satisfies CacheState);
  return new VerifiedCredentialsCache(shared.get(key) as CacheState);
}
