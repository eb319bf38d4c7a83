import type { AccessScope } from '../../pacs-core/access';
import type { Database } from '../../prisma/database';
import { ROLES_THAT_MAY_STORE, type Role } from './roles';

export interface ArchiveAccess {
  readScope: AccessScope;
  storeFacilityId: string | null;
}

/**
 * What a user may read and where their stores go, from ONE membership query:
 * the same rules as readScopeFor and storeFacilityFor, which every DICOMweb
 * request needs together (each Prisma query costs ~0.9 ms here, and a viewer
 * makes hundreds of requests). Not cached: a revoked membership or a disabled
 * account acts on the very next request.
 */
export async function archiveAccessFor(db: Database, userId: string): Promise<ArchiveAccess> {
  const memberships = await db.membership.findMany({
    where: { userId, user: { disabled: false } },
    select: { facilityId: true, role: true },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
  return {
    readScope: { kind: 'facilities', facilityIds: [...new Set(memberships.map((membership) => membership.facilityId))] },
    storeFacilityId: memberships.find((membership) => ROLES_THAT_MAY_STORE.includes(membership.role as Role))?.facilityId ?? null,
  };
}
