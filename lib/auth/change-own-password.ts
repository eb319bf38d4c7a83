// A signed-in person changes their own password: the current one first
// (checked and throttled exactly as at sign-in, so a session left open on a
// ward PC is not a way to take the account over), the new one under the
// same rules as everywhere a password is chosen (length, then the zxcvbn
// strength estimate). Every other session of the account ends, and its
// open sockets close: whoever knew the old password is out. This browser
// stays signed in. Audited as auth.password.change in the same transaction.
import { z } from 'zod';
import { AdminError, parseInput } from '../admin/errors';
import { recordAudit } from '../audit/record-audit';
import { disconnectUserExceptSession } from '../realtime/disconnect-user';
import type { Runtime } from '../runtime';
import { ZNewPassword, requireStrongPassword } from '../users/password-rules';
import { MAX_PASSWORD_LENGTH, hashPassword } from './password';
import { verifyCredentials } from './verify-credentials';

export const ZChangeOwnPasswordRequest = z
  .object({
    currentPassword: z.string({ error: 'Enter your current password' }).min(1, 'Enter your current password').max(MAX_PASSWORD_LENGTH, 'That is longer than any password here'),
    newPassword: ZNewPassword,
    confirmation: z.string({ error: 'Type the new password again' }),
  })
  .refine((input) => input.newPassword === input.confirmation, { path: ['confirmation'], message: 'The two new passwords are not the same' });

export interface PasswordChanger {
  userId: string;
  /** The session the change is made from: it stays, every other one ends */
  sessionId: string;
  ip: string;
}

export async function changeOwnPassword(
  context: Pick<Runtime, 'db' | 'config' | 'logger' | 'shared' | 'io'>,
  actor: PasswordChanger,
  input: unknown,
): Promise<{ sessionsEnded: number }> {
  const { currentPassword, newPassword } = parseInput(ZChangeOwnPasswordRequest, input);
  const user = await context.db.user.findUnique({ where: { id: actor.userId }, select: { email: true, name: true, guest: true, disabled: true } });
  // A guest has no password (a guest link signs them in): nothing to change
  if (!user || user.guest || user.disabled) throw new AdminError('NOT_ALLOWED', 'This account has no password to change.');
  const check = await verifyCredentials(context, { email: user.email, password: currentPassword, ip: actor.ip, door: 'auth.password.change' });
  if (!check.ok || check.user.id !== actor.userId) {
    const message =
      !check.ok && check.reason === 'RATE_LIMITED' ? `Too many attempts. Try again in ${check.retryAfterSeconds} seconds.` : 'That is not your current password.';
    throw new AdminError('INVALID_INPUT', message, { currentPassword: message });
  }
  if (newPassword === currentPassword) {
    throw new AdminError('INVALID_INPUT', 'Choose a new password.', { newPassword: 'This is your current password: choose a new one' });
  }
  try {
    requireStrongPassword(newPassword, user);
  } catch (error) {
    // The strength message belongs to the new-password field of this form
    if (error instanceof AdminError && error.fields.password) throw new AdminError(error.code, error.message, { newPassword: error.fields.password });
    throw error;
  }
  const passwordHash = await hashPassword(newPassword);
  const sessionsEnded = await context.db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: actor.userId }, data: { passwordHash } });
    const ended = await tx.session.deleteMany({ where: { userId: actor.userId, id: { not: actor.sessionId } } });
    await recordAudit(tx, {
      actor: user.email,
      actorUserId: actor.userId,
      action: 'auth.password.change',
      outcome: 'SUCCESS',
      sourceIp: actor.ip,
      resource: `user:${actor.userId}`,
      details: { sessionsEnded: ended.count },
    });
    return ended.count;
  });
  // Their sessions are gone; sockets opened with them would otherwise keep receiving until they reconnect
  await disconnectUserExceptSession(context.io, actor.userId, actor.sessionId);
  return { sessionsEnded };
}

