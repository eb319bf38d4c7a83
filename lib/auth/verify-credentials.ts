// Email + password checking, shared by the sign-in form and HTTP Basic, so
// both are throttled and answer the same way.
import { loginRateLimiterFor } from './login-rate-limiter';
import { MAX_PASSWORD_LENGTH, verifyAgainstDecoy, verifyPassword } from './password';
import type { AuthContext } from './auth-context';
import { verifiedCredentialsCacheFor } from './verified-credentials-cache';

export type CredentialsCheck =
  | { ok: true; user: { id: string; email: string; name: string } }
  | { ok: false; reason: 'INVALID_CREDENTIALS' | 'ACCOUNT_DISABLED' }
  | { ok: false; reason: 'RATE_LIMITED'; retryAfterSeconds: number };

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function verifyCredentials(
  context: AuthContext,
  input: { email: string; password: string; ip: string; useCache?: boolean },
): Promise<CredentialsCheck> {
  const email = normalizeEmail(input.email);
  const limiter = loginRateLimiterFor(context.shared);
  const decision = limiter.check(input.ip, email);
  if (decision.limited) return { ok: false, reason: 'RATE_LIMITED', retryAfterSeconds: decision.retryAfterSeconds };

  const found = await context.db.user.findUnique({
    where: { email },
    select: { id: true, email: true, name: true, passwordHash: true, disabled: true, guest: true },
  });
  // A guest never signs in with a password (theirs cannot verify anyway):
  // answered exactly like an unknown email, decoy hash included.
  const user = found?.guest ? null : found;
  const cache = verifiedCredentialsCacheFor(context.shared);
  let valid = false;
  if (!user) {
    await verifyAgainstDecoy(input.password);
  } else if (input.useCache && cache.lookup(email, input.password, user.passwordHash) === user.id) {
    valid = true;
  } else if (input.password.length <= MAX_PASSWORD_LENGTH) {
    valid = await verifyPassword(user.passwordHash, input.password);
    if (valid && input.useCache) cache.remember(email, input.password, user.id, user.passwordHash);
  }

  if (!user || !valid) {
    limiter.recordFailure(input.ip, email);
    return { ok: false, reason: 'INVALID_CREDENTIALS' };
  }
  limiter.recordSuccess(email);
  // Only someone who knows the password learns that the account is disabled.
  if (user.disabled) return { ok: false, reason: 'ACCOUNT_DISABLED' };
  return { ok: true, user: { id: user.id, email: user.email, name: user.name } };
}
