import { z } from 'zod';
import { AdminError } from '../admin/errors';
import { MAX_PASSWORD_LENGTH } from '../auth/password';
import { estimatePasswordStrength } from '../auth/password-strength';

// NIST SP 800-63B 5.1.1.2: length over composition rules; 10 is a passphrase
// people can still type on a ward keyboard. Length is the first gate; the
// strength estimate (requireStrongPassword) the second.
export const MIN_PASSWORD_LENGTH = 10;

export const ZNewPassword = z
  .string({ error: 'Choose a password' })
  .min(MIN_PASSWORD_LENGTH, `Use at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(MAX_PASSWORD_LENGTH, `Use at most ${MAX_PASSWORD_LENGTH} characters`);

/**
 * Wherever a person chooses a password: refuses one that is easy to guess for
 * someone who knows their email and name, with the estimator's words as the
 * password field's message.
 */
export function requireStrongPassword(password: string, person: { email: string; name?: string }): void {
  const strength = estimatePasswordStrength(password, person);
  if (!strength.acceptable) throw new AdminError('INVALID_INPUT', 'Choose a stronger password.', { password: strength.message });
}
