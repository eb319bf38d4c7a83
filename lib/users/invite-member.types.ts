import { z } from 'zod';
import { ROLES } from '../policy/roles';

export const ZMemberRole = z.enum(ROLES, { error: 'Choose a role: ADMIN, REFERRING, EXPERT, EMERGENCY or PRIVACY_OFFICER' });

export const ZInviteMemberRequest = z.object({
  email: z
    .string({ error: 'Enter an email address' })
    .trim()
    .toLowerCase()
    .min(1, 'Enter an email address')
    .max(254, 'An email address has at most 254 characters')
    .pipe(z.email('Enter a valid email address, such as name@hospital.org')),
  role: ZMemberRole,
});
export type TInviteMemberRequest = z.input<typeof ZInviteMemberRequest>;
