// Input of the guest-link operations (lib/consult/guest-links.ts), shared by
// the API route and the consultation page's form.
import { z } from 'zod';

/** A guest link is for today's or tomorrow's session, not a standing pass: at most three days. */
export const GUEST_LINK_MAX_HOURS = 72;
export const GUEST_LINK_DEFAULT_HOURS = 24;

export const ZCreateGuestLinkRequest = z.object({
  guestName: z
    .string({ error: 'Enter the name of the guest' })
    .trim()
    .max(100, 'Use at most 100 characters')
    .optional()
    .transform((name) => name ?? ''),
  // Issue 19: a colleague at a facility of a paired node (its id as GET /api/federation/destinations
  // lists it): the link is then used through their own node, which signs who they are
  facilityId: z.string().trim().max(64).optional(),
  // Only for the record (who was meant to come): we send no mail, the host passes the link on.
  guestEmail: z
    .string({ error: 'Enter a valid email address, or leave it empty' })
    .trim()
    .toLowerCase()
    .max(254, 'An email address has at most 254 characters')
    .pipe(z.union([z.literal(''), z.email('Enter a valid email address, or leave it empty')]))
    .optional()
    .transform((email) => email ?? ''),
  // An empty form field means the default, like an absent one.
  hours: z.preprocess(
    (hours) => (hours === '' || hours === null ? undefined : hours),
    z.coerce
      .number({ error: `Between 1 and ${GUEST_LINK_MAX_HOURS} hours` })
      .int('A whole number of hours')
      .min(1, 'At least 1 hour')
      .max(GUEST_LINK_MAX_HOURS, `At most ${GUEST_LINK_MAX_HOURS} hours`)
      .default(GUEST_LINK_DEFAULT_HOURS),
  ),
}).refine((request) => request.guestName !== '' || Boolean(request.facilityId), { message: 'Enter the name of the guest', path: ['guestName'] });
export type TCreateGuestLinkRequest = z.input<typeof ZCreateGuestLinkRequest>;
