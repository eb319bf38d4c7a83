import { writeAuditEvent } from '../audit/write-audit-event';
import type { AuthContext } from './auth-context';
import { openSignIn } from './second-factor/pending-sign-in';
import type { PendingSecondFactor } from './sessions';
import { verifyCredentials, type CredentialsCheck } from './verify-credentials';

export type SignInResult =
  /**
   * secondFactor null: signed in. Otherwise the password was right and the
   * session token is a pending one (lib/auth/second-factor/pending-sign-in.ts):
   * CODE asks for the code, ENROL for an enrolment, before anything else opens.
   * knownDevice: the next value of the browser's known-device cookie.
   */
  | {
      ok: true;
      user: { id: string; email: string; name: string };
      sessionToken: string;
      expiresAt: Date;
      secondFactor: PendingSecondFactor | null;
      knownDevice: string;
    }
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
  const session = await openSignIn(context, check.user.id, { ip: input.ip, userAgent: input.userAgent });
  // With a second factor, the sign-in is audited once it is complete (promotePendingSignIn).
  if (session.secondFactor) return { ok: true, user: check.user, ...session, knownDevice: check.knownDevice };
  await writeAuditEvent(
    context.db,
    { actor: check.user.email, actorUserId: check.user.id, action: 'auth.sign_in', outcome: 'SUCCESS', sourceIp: input.ip },
    context.logger,
  );
  return { ok: true, user: check.user, ...session, knownDevice: check.knownDevice };
}
