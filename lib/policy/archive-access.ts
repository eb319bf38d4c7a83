import type { AccessScope } from '../../pacs-core/access';
import { Prisma, type Database } from '../../prisma/database';
import { ROLES_THAT_MAY_STORE, type Role } from './roles';
import { pickStoreFacility } from './store-facility';

/** A study copy the user reads through an active grant resting on an emergency override (issue 16) */
export interface OverrideRead {
  overrideId: string;
  facilityId: string;
  studyInstanceUid: string;
}

export interface ArchiveAccess {
  readScope: AccessScope;
  storeFacilityId: string | null;
  /**
   * The copies read through emergency-override grants (usually none): the principal's
   * audit names the override of every access through one (lib/auth/principal.ts).
   */
  overrideReads: OverrideRead[];
}

interface AccessRow {
  /**
   * 'facility' (a membership: value = facilityId), 'service', 'grantee' (holds an active
   * grant: one row at most) or 'override' (an active grant resting on an emergency
   * override: value = overrideId, role = the copy's facilityId, id = its Study Instance UID)
   */
  kind: string;
  value: string;
  role: string;
  id: string;
}

/**
 * What a user may read and where their stores go:
 * - every study of each facility they are a member of (any role);
 * - each study copy granted to them, to one of their services or to one of
 *   their facilities, while the grant is active (the AccessGrant rows:
 *   lib/grants). A teleconsultation grants its study to its participants
 *   (HOST, PARTICIPANT, GUEST) until it ends: an expert of another facility,
 *   or a guest without any membership, reads that one study and nothing else
 *   of the patient. A grant names one facility's copy of a study, never
 *   another facility's copy of the UID.
 * A disabled or unknown user reads nothing; a disabled facility's members read
 * nothing of it (its data is kept), and a disabled service's members get none
 * of its grants.
 *
 * The grants are not listed here: the scope names the grantee, and the
 * archive's SQL joins the grants table (pacs-core/index/search-support.ts),
 * so 5,000 grants cost what 5 do. The grantee is named only when the user
 * holds an active grant, so everyone else's query stays the facility list.
 *
 * Cost: this runs on every DICOMweb request (a viewer makes hundreds), so it
 * is ONE statement — memberships, "holds an active grant" and the grants resting
 * on an emergency override (for the audit: rare rows) as a UNION ALL, by indexed userId. Not cached: a revoked membership or grant, a disabled
 * account or an ended consultation acts on the very next request.
 *
 * A member's services (enabled, of an enabled facility) join the grantee, so
 * a grant to a service (an expert pool) reaches each of its members.
 */
export async function archiveAccessFor(db: Database, userId: string, actingFacilityId: string | null = null, now = new Date()): Promise<ArchiveAccess> {
  // NOT "disabled": a boolean on PostgreSQL, 0/1 on SQLite; NOT reads both.
  const rows = await db.$queryRaw<AccessRow[]>(Prisma.sql`
    SELECT 'facility' AS "kind", "Membership"."facilityId" AS "value",
      CASE WHEN "Facility"."nodePeerId" IS NULL THEN "Membership"."role" ELSE '' END AS "role",
      "Membership"."createdAt" AS "since", "Membership"."id" AS "id"
    FROM "Membership" JOIN "User" ON "User"."id" = "Membership"."userId"
      JOIN "Facility" ON "Facility"."id" = "Membership"."facilityId" AND "Facility"."disabledAt" IS NULL
    WHERE "Membership"."userId" = ${userId} AND NOT "User"."disabled"
    UNION ALL
    SELECT 'service', "ServiceMember"."serviceId", '', "ServiceMember"."createdAt", "ServiceMember"."id"
    FROM "ServiceMember" JOIN "User" ON "User"."id" = "ServiceMember"."userId"
      JOIN "Service" ON "Service"."id" = "ServiceMember"."serviceId" AND "Service"."disabledAt" IS NULL
      JOIN "Facility" ON "Facility"."id" = "Service"."facilityId" AND "Facility"."disabledAt" IS NULL
    WHERE "ServiceMember"."userId" = ${userId} AND NOT "User"."disabled"
    UNION ALL
    SELECT 'grantee', '', '', "User"."createdAt", "User"."id"
    FROM "User"
    WHERE "User"."id" = ${userId} AND NOT "User"."disabled" AND (
      EXISTS (SELECT 1 FROM "AccessGrant" WHERE "AccessGrant"."granteeUserId" = ${userId} AND ${activeGrant(now)})
      OR EXISTS (SELECT 1 FROM "AccessGrant" JOIN "ServiceMember" ON "ServiceMember"."serviceId" = "AccessGrant"."granteeServiceId"
        JOIN "Service" ON "Service"."id" = "ServiceMember"."serviceId" AND "Service"."disabledAt" IS NULL
        WHERE "ServiceMember"."userId" = ${userId} AND ${activeGrant(now)})
      OR EXISTS (SELECT 1 FROM "AccessGrant" JOIN "Membership" ON "Membership"."facilityId" = "AccessGrant"."granteeFacilityId"
        JOIN "Facility" ON "Facility"."id" = "Membership"."facilityId" AND "Facility"."disabledAt" IS NULL
        WHERE "Membership"."userId" = ${userId} AND ${activeGrant(now)}))
    UNION ALL
    SELECT 'override', "AccessGrant"."overrideId", "AccessGrant"."studyFacilityId", "AccessGrant"."createdAt", "AccessGrant"."studyInstanceUid"
    FROM "AccessGrant" JOIN "User" ON "User"."id" = "AccessGrant"."granteeUserId"
    WHERE "AccessGrant"."granteeUserId" = ${userId} AND NOT "User"."disabled" AND "AccessGrant"."overrideId" IS NOT NULL AND ${activeGrant(now)}
    ORDER BY "since", "id"`);
  const memberships = rows.filter((row) => row.kind === 'facility');
  const facilityIds = [...new Set(memberships.map((row) => row.value))];
  const serviceIds = [...new Set(rows.filter((row) => row.kind === 'service').map((row) => row.value))];
  const holdsGrants = rows.some((row) => row.kind === 'grantee');
  return {
    readScope: holdsGrants ? { kind: 'facilities', facilityIds, grantee: { userId, serviceIds } } : { kind: 'facilities', facilityIds },
    // The acting facility if it may store there, else the first membership by
    // creation with a role that may store (store-facility.ts); never a grant, never a
    // facility of another node (a mirrored facility holds no studies: its role reads as '')
    storeFacilityId: pickStoreFacility(memberships.filter((row) => ROLES_THAT_MAY_STORE.includes(row.role as Role)).map((row) => row.value), actingFacilityId),
    overrideReads: rows.filter((row) => row.kind === 'override').map((row) => ({ overrideId: row.value, facilityId: row.role, studyInstanceUid: row.id })),
  };
}

function activeGrant(now: Date): Prisma.Sql {
  return Prisma.sql`"AccessGrant"."revokedAt" IS NULL AND "AccessGrant"."validFrom" <= ${now}
    AND ("AccessGrant"."validUntil" IS NULL OR "AccessGrant"."validUntil" > ${now})`;
}
