import { writeAuditEvent } from '../audit/write-audit-event';
import type { AuthContext } from './auth-context';
import { createSession } from './sessions';
import { verifyCredentials, type CredentialsCheck } from './verify-credentials';

export type SignInResult =
  | { ok: true; user: { id: string; email: string; name: string }; sessionToken: string; expiresAt: Date; knownDevice: string }
  | Exclude<CredentialsCheck, { ok: true }>;

/**
 * Checks the credentials and opens a session; every attempt is audited
 * (auth.sign_in: failures by verifyCredentials, for the account's facilities).
 * knownDeviceCookie: the browser's known-device cookie (known-device.ts);
 * the result's knownDevice is its next value.
 */
export async function signIn(
  context: AuthContext,
  input: { email: string; password: string; ip: string; userAgent?: string; knownDeviceCookie?: string },
): Promise<SignInResult> {
  const check = await verifyCredentials(context, { ...input, door: 'auth.sign_in' });
  if (!check.ok) return check;
  const session = await createSession(context.db, {
    userId: check.user.id,
    ttlHours: context.config.sessionTtlHours,
    ip: input.ip,
    userAgent: input.userAgent,
  });
  await writeAuditEvent(
    context.db,
    { actor: check.user.email, actorUserId: check.user.id, action: 'auth.sign_in', outcome: 'SUCCESS', sourceIp: input.ip },
    context.logger,
  );
  return { ok: true, user: check.user, sessionToken: session.token, expiresAt: session.expiresAt, knownDevice: check.knownDevice };
}
