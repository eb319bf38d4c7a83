// The one lookup of a study by its UID for a reader. Each facility holds its
// own copy of a study (docs/architecture.md, "A study is held per facility"),
// so a UID may name several Study rows; the reader gets the copy the scope
// lets them see, the oldest when it lets them see several — the same rule as
// every search (scopeCondition). WADO, C-MOVE/C-GET, the portal's study pages,
// consultations and deletion all resolve a UID here.
import type { Database } from '../../prisma/database';
import type { AccessScope } from '../access';
import { scopeCondition } from './search-support';

export interface VisibleStudy {
  /** The Study row of the copy */
  id: string;
  studyInstanceUid: string;
  facilityId: string;
  patientId: string;
}

/** The copy of the study the scope shows, or null (absent and hidden look alike). */
export async function findVisibleStudy(db: Database, studyInstanceUid: string, scope: AccessScope): Promise<VisibleStudy | null> {
  const scopeSql = scopeCondition(scope);
  if (!scopeSql) return null;
  const rows = await db.$queryRaw<VisibleStudy[]>`
    SELECT "Study"."id", "Study"."studyInstanceUid", "Study"."facilityId", "Patient"."patientId"
    FROM "Study" JOIN "Patient" ON "Patient"."id" = "Study"."patientRef"
    WHERE "Study"."studyInstanceUid" = ${studyInstanceUid} AND ${scopeSql}
    ORDER BY "Study"."createdAt", "Study"."id"
    LIMIT 1`;
  return rows[0] ?? null;
}
