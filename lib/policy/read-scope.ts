import type { AccessScope } from '../../pacs-core/access';
import type { Database } from '../../prisma/database';
import { archiveAccessFor } from './archive-access';

/**
 * What a user may read: the studies of every facility where they hold any
 * membership, and the study copies granted to them (lib/grants; a
 * teleconsultation grants its study to its participants). archive-access.ts
 * has the rules, in one statement. A disabled or unknown user reads nothing.
 * Referrals, co-signature, emergencies and federation add grant rows, not rules.
 */
export async function readScopeFor(db: Database, userId: string): Promise<AccessScope> {
  return (await archiveAccessFor(db, userId)).readScope;
}

/**
 * The same scope without its grants: for decisions a grant must not open,
 * such as starting a teleconsultation on a study (an invited expert or a
 * guest may look at it, not share it further).
 */
export function withoutStudyGrants(scope: AccessScope): AccessScope {
  return scope.kind === 'all' ? scope : { kind: 'facilities', facilityIds: scope.facilityIds };
}
