import { writeAuditEvent } from '../audit/write-audit-event';
import type { AuthContext } from './auth-context';
import { openSignIn } from './second-factor/pending-sign-in';
import type { PendingSecondFactor } from './sessions';
import { normalizeEmail, verifyCredentials, type CredentialsCheck } from './verify-credentials';

export type SignInResult =
  /**
   * secondFactor null: signed in. Otherwise the password was right and the
   * session token is a pending one (lib/auth/second-factor/pending-sign-in.ts):
   * CODE asks for the code, ENROL for an enrolment, before anything else opens.
   */
  | { ok: true; user: { id: string; email: string; name: string }; sessionToken: string; expiresAt: Date; secondFactor: PendingSecondFactor | null }
  | Exclude<CredentialsCheck, { ok: true }>;

/** Checks the credentials and opens a session; every attempt is audited (auth.sign_in). */
export async function signIn(
  context: AuthContext,
  input: { email: string; password: string; ip: string; userAgent?: string },
): Promise<SignInResult> {
  const check = await verifyCredentials(context, input);
  const email = normalizeEmail(input.email).slice(0, 254);
  if (!check.ok) {
    await writeAuditEvent(
      context.db,
      {
        actor: email || 'anonymous',
        action: 'auth.sign_in',
        outcome: check.reason === 'INVALID_CREDENTIALS' ? 'FAILURE' : 'DENIED',
        sourceIp: input.ip,
        details: { reason: check.reason },
      },
      context.logger,
    );
    return check;
  }
  const session = await openSignIn(context, check.user.id, { ip: input.ip, userAgent: input.userAgent });
  // With a second factor, the sign-in is audited once it is complete (promotePendingSignIn).
  if (session.secondFactor) return { ok: true, user: check.user, ...session };
  await writeAuditEvent(
    context.db,
    { actor: check.user.email, actorUserId: check.user.id, action: 'auth.sign_in', outcome: 'SUCCESS', sourceIp: input.ip },
    context.logger,
  );
  return { ok: true, user: check.user, ...session };
}
