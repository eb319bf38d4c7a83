import { z } from 'zod';
import { ZNewPassword } from './password-rules';

export const ZAcceptInvitationRequest = z.object({
  token: z.string().max(100),
  name: z.string({ error: 'Enter your name' }).trim().min(1, 'Enter your name').max(200, 'Use at most 200 characters'),
  password: ZNewPassword,
});

/** An invitation for an email that already has an account: the account's own password proves it is theirs. */
export const ZJoinWithAccountRequest = z.object({
  token: z.string().max(100),
  password: z.string({ error: 'Enter your password' }).min(1, 'Enter your password').max(1024, 'That is longer than any password here'),
});

export const ZResetPasswordRequest = z.object({
  token: z.string().max(100),
  password: ZNewPassword,
});
