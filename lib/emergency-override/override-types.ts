// The context the emergency-override operations run in, and who acts.
import type { Principal } from '../policy/principal';
import type { Runtime } from '../runtime';

/** db, config (e-mail, sign-in limits), logger and shared (the password throttle); io for the news after a commit */
export type OverrideContext = Pick<Runtime, 'db' | 'config' | 'logger' | 'shared'> & Partial<Pick<Runtime, 'io'>>;

/** The clinician (or reviewer) at the keyboard, with the facility they act for (lib/facilities/acting-facility.ts) */
export type OverrideActor = Principal & { actingFacilityId: string | null };

/** The review queue's path of one facility: the link of the e-mail and of the realtime news */
export function reviewQueuePath(facilityId: string): string {
  return `/admin/${facilityId}/emergency-access`;
}

/** The one reason every grant and revocation of an override gives */
export const OVERRIDE_GRANT_REASON = { ended: 'emergency access ended', expired: 'emergency access expired' } as const;
