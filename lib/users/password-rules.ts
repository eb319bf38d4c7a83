import { z } from 'zod';
import { MAX_PASSWORD_LENGTH } from '../auth/password';

// NIST SP 800-63B 5.1.1.2: length over composition rules; 10 is a passphrase
// people can still type on a ward keyboard.
export const MIN_PASSWORD_LENGTH = 10;

export const ZNewPassword = z
  .string({ error: 'Choose a password' })
  .min(MIN_PASSWORD_LENGTH, `Use at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(MAX_PASSWORD_LENGTH, `Use at most ${MAX_PASSWORD_LENGTH} characters`);
