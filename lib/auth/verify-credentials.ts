// Email + password checking, shared by the sign-in form and HTTP Basic, so
// both are throttled, audited and answer the same way. Every attempt that
// fails (wrong credentials, throttled, disabled account) is recorded as a
// DICOM "User Authentication" event (110114) for the account's facilities
// (lib/audit/record-refused-attempt.ts), so their administrators see who
// tried to get into their colleagues' accounts, from where.
import { recordRefusedAttempt } from '../audit/record-refused-attempt';
import type { AuthContext } from './auth-context';
import { knownDeviceId, nextKnownDeviceValue } from './known-device';
import type { LoginAttempt } from './login-rate-limiter';
import { loginLimiterOf } from './login-failures-mirror';
import { MAX_PASSWORD_LENGTH, verifyAgainstDecoy, verifyPassword } from './password';
import { verifiedCredentialsCacheFor } from './verified-credentials-cache';

export type CredentialsCheck =
  /** knownDevice: the known-device cookie's next value (known-device.ts) */
  | { ok: true; user: { id: string; email: string; name: string }; knownDevice: string }
  | { ok: false; reason: 'INVALID_CREDENTIALS' | 'ACCOUNT_DISABLED' }
  | { ok: false; reason: 'RATE_LIMITED'; retryAfterSeconds: number };

/** auth.sign_in: the sign-in form and API; auth.basic: HTTP Basic on DICOMweb; auth.password.change: the current password on /account/password; report.sign: the password that signs a report (lib/reports/sign-report.ts); override.start: the password that opens emergency access (lib/emergency-override/declare-override.ts) */
export type CredentialsDoor = 'auth.sign_in' | 'auth.basic' | 'auth.password.change' | 'report.sign' | 'override.start';

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function verifyCredentials(
  context: AuthContext,
  input: { email: string; password: string; ip: string; door: CredentialsDoor; useCache?: boolean; knownDeviceCookie?: string },
): Promise<CredentialsCheck> {
  const email = normalizeEmail(input.email);
  const found = await context.db.user.findUnique({
    where: { email },
    select: { id: true, email: true, name: true, passwordHash: true, disabled: true, guest: true },
  });
  // A guest never signs in with a password (theirs cannot verify anyway):
  // answered exactly like an unknown email, decoy hash included.
  const user = found?.guest ? null : found;
  const attempt: LoginAttempt = { address: input.ip, email, deviceId: user ? knownDeviceId(input.knownDeviceCookie, user) : undefined };
  const limiter = loginLimiterOf(context);
  await limiter.prepare(attempt);
  const decision = limiter.check(attempt);
  if (decision.limited) {
    await recordFailure(context, input, email, 'RATE_LIMITED');
    return { ok: false, reason: 'RATE_LIMITED', retryAfterSeconds: decision.retryAfterSeconds };
  }

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
    limiter.recordFailure(attempt);
    await recordFailure(context, input, email, 'INVALID_CREDENTIALS');
    return { ok: false, reason: 'INVALID_CREDENTIALS' };
  }
  limiter.recordSuccess(attempt);
  // Only someone who knows the password learns that the account is disabled.
  if (user.disabled) {
    await recordFailure(context, input, email, 'ACCOUNT_DISABLED');
    return { ok: false, reason: 'ACCOUNT_DISABLED' };
  }
  return { ok: true, user: { id: user.id, email: user.email, name: user.name }, knownDevice: nextKnownDeviceValue(input.knownDeviceCookie, user) };
}

function recordFailure(
  context: AuthContext,
  input: { ip: string; door: CredentialsDoor },
  email: string,
  reason: 'INVALID_CREDENTIALS' | 'ACCOUNT_DISABLED' | 'RATE_LIMITED',
): Promise<void> {
  return recordRefusedAttempt(context, {
    actor: email.slice(0, 254) || 'anonymous',
    actorUserId: null,
    sourceIp: input.ip,
    action: input.door,
    outcome: reason === 'INVALID_CREDENTIALS' ? 'FAILURE' : 'DENIED',
    target: { kind: 'account', email },
    details: { reason },
  });
}
