// Which of some Study rows the scope lets the caller read, each on its own:
// a patient's history lists the studies of that patient the caller may read
// (all of them for a member of the facility, the granted ones for a grantee).
// No one-copy rule here: the rows are one facility's copies, named by id.
import { Prisma, type Database } from '../../prisma/database';
import type { AccessScope } from '../access';
import { scopeOn } from './search-support';

export async function readableStudyIds(db: Database, scope: AccessScope, studyIds: readonly string[]): Promise<Set<string>> {
  const inScope = scopeOn(scope, Prisma.raw('"Study"'));
  if (!inScope || !studyIds.length) return new Set();
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT "Study"."id" FROM "Study" WHERE "Study"."id" IN (${Prisma.join([...studyIds])}) AND ${inScope}`;
  return new Set(rows.map((row) => row.id));
}
