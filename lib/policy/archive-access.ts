import type { AccessScope, StudyGrant } from '../../pacs-core/access';
import { Prisma, type Database } from '../../prisma/database';
import { ROLES_THAT_MAY_STORE, type Role } from './roles';
import { pickStoreFacility } from './store-facility';

export interface ArchiveAccess {
  readScope: AccessScope;
  storeFacilityId: string | null;
}

interface GrantRow {
  /** 'facility' (a membership: value = facilityId) or 'study' (an open consultation: value = its StudyInstanceUID) */
  grant: string;
  value: string;
  /** The membership's facility, or the consultation's (the facility whose copy of the study it is about) */
  facilityId: string;
  role: string;
}

/**
 * What a user may read and where their stores go:
 * - every study of each facility they are a member of (any role);
 * - the study of each teleconsultation they take part in (HOST, PARTICIPANT or
 *   GUEST) while it is open (endedAt null): an expert of another facility, or
 *   a guest without any membership, reads that one study and nothing else of
 *   the patient. Ending the consultation ends the grant on the next request.
 *   The grant names the consultation facility's copy of the study (each
 *   facility holds its own copy): never another facility's copy of the UID.
 * A disabled or unknown user reads nothing; a disabled facility's members read
 * nothing of it (its data is kept).
 *
 * Cost: this runs on every DICOMweb request (a viewer makes hundreds), so it
 * is ONE statement — memberships and open participations as a UNION ALL, both
 * by indexed userId — instead of two Prisma queries (~0.9 ms each here). Not
 * cached: a revoked membership, a disabled account or an ended consultation
 * acts on the very next request.
 */
export async function archiveAccessFor(db: Database, userId: string, actingFacilityId: string | null = null): Promise<ArchiveAccess> {
  // NOT "disabled": a boolean on PostgreSQL, 0/1 on SQLite; NOT reads both.
  const rows = await db.$queryRaw<GrantRow[]>(Prisma.sql`
    SELECT 'facility' AS "grant", "Membership"."facilityId" AS "value", "Membership"."facilityId" AS "facilityId", "Membership"."role" AS "role",
      "Membership"."createdAt" AS "since", "Membership"."id" AS "id"
    FROM "Membership" JOIN "User" ON "User"."id" = "Membership"."userId"
      JOIN "Facility" ON "Facility"."id" = "Membership"."facilityId" AND "Facility"."disabledAt" IS NULL
    WHERE "Membership"."userId" = ${userId} AND NOT "User"."disabled"
    UNION ALL
    SELECT 'study', "Consultation"."studyInstanceUid", "Consultation"."facilityId", "ConsultationParticipant"."role",
      "ConsultationParticipant"."invitedAt", "ConsultationParticipant"."id"
    FROM "ConsultationParticipant"
      JOIN "Consultation" ON "Consultation"."id" = "ConsultationParticipant"."consultationId"
      JOIN "User" ON "User"."id" = "ConsultationParticipant"."userId"
    WHERE "ConsultationParticipant"."userId" = ${userId} AND "Consultation"."endedAt" IS NULL AND NOT "User"."disabled"
    ORDER BY "since", "id"`);
  const memberships = rows.filter((row) => row.grant === 'facility');
  const facilityIds = [...new Set(memberships.map((row) => row.value))];
  const studyGrants: StudyGrant[] = [];
  for (const row of rows) {
    if (row.grant !== 'study') continue;
    if (!studyGrants.some((grant) => grant.facilityId === row.facilityId && grant.studyInstanceUid === row.value)) {
      studyGrants.push({ facilityId: row.facilityId, studyInstanceUid: row.value });
    }
  }
  return {
    readScope: studyGrants.length ? { kind: 'facilities', facilityIds, studyGrants } : { kind: 'facilities', facilityIds },
    // The acting facility if it may store there, else the first membership by
    // creation with a role that may store (store-facility.ts); never a consultation grant.
    storeFacilityId: pickStoreFacility(memberships.filter((row) => ROLES_THAT_MAY_STORE.includes(row.role as Role)).map((row) => row.value), actingFacilityId),
  };
}
