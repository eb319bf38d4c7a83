import { z } from 'zod';
import { ZNewPassword } from './password-rules';

export const ZAcceptInvitationRequest = z.object({
  token: z.string().max(100),
  name: z.string({ error: 'Enter your name' }).trim().min(1, 'Enter your name').max(200, 'Use at most 200 characters'),
  password: ZNewPassword,
});

export const ZResetPasswordRequest = z.object({
  token: z.string().max(100),
  password: ZNewPassword,
});
