// Checks a second-factor code: a TOTP code (accepted once: its time step must
// be newer than the last one used, so a code seen over a shoulder or replayed
// within its 30 s is refused) or an unused recovery code. Throttled like
// passwords, by the login limiter under a key of its own: a right password
// clears the password count, and must not clear the count of wrong codes.
import { writeAuditEvent } from '../../audit/write-audit-event';
import type { AuthContext } from '../auth-context';
import { loginLimiterOf } from '../login-failures-mirror';
import { isRecoveryCodeShape, recoveryCodeHash } from './recovery-codes';
import { openSecret } from './secret-box';
import { matchTotpStep } from './totp';

export type SecondFactorMethod = 'TOTP' | 'RECOVERY_CODE';

export type CodeCheck =
  | { ok: true; method: SecondFactorMethod; recoveryCodesLeft?: number }
  | { ok: false; reason: 'INVALID_CODE' }
  | { ok: false; reason: 'RATE_LIMITED'; retryAfterSeconds: number };

/** What the code was for, in the audit trail. */
export type CodePurpose = 'sign-in' | 'enrol' | 'disable' | 'recovery-codes';

/** The limiter's account key for codes (its address key is shared with passwords: spraying is spraying). */
function throttleKey(userId: string): string {
  return `second-factor:${userId}`;
}

export async function checkCodeThrottle(context: AuthContext, ip: string, userId: string) {
  const limiter = loginLimiterOf(context);
  const attempt = { address: ip, email: throttleKey(userId) };
  await limiter.prepare(attempt);
  return limiter.check(attempt);
}

/** Counts a wrong code against the account and the address, and audits it (the account's owner and admins see that someone had the password). */
export async function recordWrongCode(
  context: AuthContext,
  user: { id: string; email: string },
  ip: string,
  details: { purpose: CodePurpose; reason: string },
): Promise<void> {
  loginLimiterOf(context).recordFailure({ address: ip, email: throttleKey(user.id) });
  await writeAuditEvent(
    context.db,
    { actor: user.email, actorUserId: user.id, action: 'auth.second_factor', outcome: 'FAILURE', sourceIp: ip, resource: `user:${user.id}`, details },
    context.logger,
  );
}

export function normalizeCode(code: string): string {
  return code.trim().replace(/\s+/g, '');
}

export async function verifySecondFactorCode(
  context: AuthContext,
  input: { user: { id: string; email: string }; code: string; ip: string; purpose: CodePurpose; now?: Date },
): Promise<CodeCheck> {
  const { db } = context;
  const { user, ip } = input;
  const now = input.now ?? new Date();
  const decision = await checkCodeThrottle(context, ip, user.id);
  if (decision.limited) {
    await writeAuditEvent(
      db,
      { actor: user.email, actorUserId: user.id, action: 'auth.second_factor', outcome: 'DENIED', sourceIp: ip, resource: `user:${user.id}`, details: { purpose: input.purpose, reason: 'RATE_LIMITED' } },
      context.logger,
    );
    return { ok: false, reason: 'RATE_LIMITED', retryAfterSeconds: decision.retryAfterSeconds };
  }
  const code = normalizeCode(input.code);

  const factor = await db.totpFactor.findUnique({ where: { userId: user.id } });
  if (factor?.confirmedAt && /^\d{6}$/.test(code)) {
    const secret = openSecret(context.config.dataDir, factor.secret, user.id);
    if (!secret) context.logger.error('a TOTP secret could not be decrypted (key file replaced?)', { userId: user.id });
    const step = secret ? matchTotpStep(secret, code, now.getTime()) : null;
    if (step !== null) {
      // Conditional update: of two requests with the same code, one wins.
      const claimed = await db.totpFactor.updateMany({ where: { id: factor.id, lastUsedStep: { lt: step } }, data: { lastUsedStep: step } });
      if (claimed.count === 1) return { ok: true, method: 'TOTP' };
      await recordWrongCode(context, user, ip, { purpose: input.purpose, reason: 'CODE_ALREADY_USED' });
      return { ok: false, reason: 'INVALID_CODE' };
    }
  } else if (isRecoveryCodeShape(code)) {
    const claimed = await db.recoveryCode.updateMany({ where: { userId: user.id, codeHash: recoveryCodeHash(code), usedAt: null }, data: { usedAt: now } });
    if (claimed.count === 1) {
      const recoveryCodesLeft = await db.recoveryCode.count({ where: { userId: user.id, usedAt: null } });
      return { ok: true, method: 'RECOVERY_CODE', recoveryCodesLeft };
    }
  }
  await recordWrongCode(context, user, ip, { purpose: input.purpose, reason: 'INVALID_CODE' });
  return { ok: false, reason: 'INVALID_CODE' };
}
