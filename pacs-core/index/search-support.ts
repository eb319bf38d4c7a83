// What findStudies/findSeries/findInstances share: the access scope as SQL,
// paging with the server's maximum, and the options of a search.
import { Prisma } from '../../prisma/database';
import type { AccessScope, Grantee } from '../access';
import type { DicomJsonDataset } from '../dicom/dicom-json';
import { MATCHABLE_COLUMNS } from './query-attributes';
import type { IndexQuery } from './query-model';

/** Without a client limit a search returns at most this many matches (PS3.18 8.3.4.4). */
export const DEFAULT_MAX_RESULTS = 1000;

export interface FindOptions {
  /** DICOMweb root as the client sees it, for RetrieveURL (0008,1190); omitted = no RetrieveURL (C-FIND) */
  baseUrl?: string;
  /** true (QIDO-RS): return the PS3.18 Table 10.6.3-x defaults; false (C-FIND): only the keys asked for */
  includeDefaults?: boolean;
  /**
   * PS3.18 10.6.3.3.2/3: a series search not below /studies/{study} also returns
   * the study's attributes, an instance search not below a series the series'.
   * Default: true (the search is not below a parent).
   */
  includeStudyAttributes?: boolean;
  includeSeriesAttributes?: boolean;
  /** Most matches one search returns; default DEFAULT_MAX_RESULTS */
  maxResults?: number;
  /** The date PatientAge ranges are computed from (tests pin it) */
  today?: Date;
}

export interface SearchResult {
  /** DICOM JSON (PS3.18 F.2) of each match, in the archive's order */
  matches: DicomJsonDataset[];
  /** More matches exist than the server's maximum allowed (not the client's limit) */
  truncated: boolean;
}

/**
 * The scope as a condition on "Study", or null when the caller may see nothing
 * (then no query is run at all). A scope with a grantee adds `OR EXISTS (an
 * active grant on this Study row to the grantee)`: the grants are joined, not
 * listed, so the statement is the same for 5 grants or 5,000 (bench/
 * grants-scope.ts). Without a grantee — nearly every caller — the condition is
 * the facility list alone, as the benches measured it.
 *
 * Each facility holds its own copy of a study, so a scope may hold several
 * copies of one UID. The caller then sees one: the oldest copy (createdAt,
 * then id) among those the scope holds. That rule lives here only, as a NOT
 * EXISTS over an older visible copy, added only when the scope can hold more
 * than one copy ('all', several facilities, any grantee); one facility without
 * grants cannot (its copies are unique), and keeps the plain condition.
 */
export function scopeCondition(scope: AccessScope, now = new Date()): Prisma.Sql | null {
  const inScope = scopeOn(scope, Prisma.raw('"Study"'), now);
  if (!inScope || !mayHoldSeveralCopies(scope)) return inScope;
  const older = Prisma.raw('"olderCopy"');
  // Probed per candidate older copy (rarely any): never rebuilds the grant list
  const olderInScope = scopeOn(scope, older, now, false);
  return Prisma.sql`${inScope} AND NOT EXISTS (
    SELECT 1 FROM "Study" ${older}
    WHERE ${older}."studyInstanceUid" = "Study"."studyInstanceUid"
      AND (${older}."createdAt" < "Study"."createdAt" OR (${older}."createdAt" = "Study"."createdAt" AND ${older}."id" < "Study"."id"))
      AND ${olderInScope})`;
}

function mayHoldSeveralCopies(scope: AccessScope): boolean {
  return scope.kind === 'all' || scope.facilityIds.length > 1 || scope.grantee !== undefined;
}

/**
 * The scope on one alias of "Study" (without the one-copy rule); null = nothing
 * visible. Exported for lookups that must not apply the one-copy rule (a
 * patient's own studies: readable-studies.ts).
 */
export function scopeOn(scope: AccessScope, table: Prisma.Sql, now = new Date(), drive = true): Prisma.Sql | null {
  if (scope.kind === 'all') return Prisma.sql`1 = 1`;
  const alternatives: Prisma.Sql[] = [];
  if (scope.facilityIds.length) alternatives.push(Prisma.sql`${table}."facilityId" IN (${Prisma.join([...scope.facilityIds])})`);
  if (scope.grantee) alternatives.push(grantedOn(scope.grantee, scope.facilityIds, table, now, drive && !scope.facilityIds.length));
  if (!alternatives.length) return null;
  return alternatives.length === 1 ? alternatives[0] : Prisma.sql`(${Prisma.join(alternatives, ' OR ')})`;
}

const ACTIVE_GRANT = (now: Date) =>
  Prisma.sql`"accessGrant"."kind" = 'STUDY' AND "accessGrant"."revokedAt" IS NULL
    AND "accessGrant"."validFrom" <= ${now} AND ("accessGrant"."validUntil" IS NULL OR "accessGrant"."validUntil" > ${now})`;

/** Each way a grant reaches the caller: to them, to one of their services, to one of their facilities. */
function granteeTerms(grantee: Grantee, facilityIds: readonly string[]): Prisma.Sql[] {
  const terms = [Prisma.sql`"accessGrant"."granteeUserId" = ${grantee.userId}`];
  if (grantee.serviceIds.length) terms.push(Prisma.sql`"accessGrant"."granteeServiceId" IN (${Prisma.join([...grantee.serviceIds])})`);
  if (facilityIds.length) terms.push(Prisma.sql`"accessGrant"."granteeFacilityId" IN (${Prisma.join([...facilityIds])})`);
  return terms;
}

/**
 * An active grant on this Study row to the grantee: the user, one of their
 * services, or one of their facilities. Active = not revoked, validFrom <= now,
 * validUntil absent or later (the schema's AccessGrant; the portal writes it).
 *
 * Two shapes of the same condition, chosen for the plan (bench/grants-scope.ts):
 * - with facilities, a correlated EXISTS probed by "studyRef" for each row the
 *   facility list and the search's own order already walk;
 * - with grants only (a guest, an expert without studies of their own), the
 *   grants drive: `id IN (the grantee's active grants)`, each grantee term on
 *   its own index, so the search starts from the few rows the caller may read
 *   instead of scanning the archive.
 */
function grantedOn(grantee: Grantee, facilityIds: readonly string[], table: Prisma.Sql, now: Date, drive: boolean): Prisma.Sql {
  const terms = granteeTerms(grantee, facilityIds);
  if (drive) {
    const selects = terms.map((term) => Prisma.sql`SELECT "accessGrant"."studyRef" FROM "AccessGrant" "accessGrant" WHERE ${term} AND ${ACTIVE_GRANT(now)}`);
    return Prisma.sql`${table}."id" IN (${Prisma.join(selects, ' UNION ALL ')})`;
  }
  return Prisma.sql`EXISTS (
    SELECT 1 FROM "AccessGrant" "accessGrant"
    WHERE "accessGrant"."studyRef" = ${table}."id" AND ${ACTIVE_GRANT(now)} AND (${Prisma.join(terms, ' OR ')}))`;
}

export function whereClause(conditions: Prisma.Sql[]): Prisma.Sql {
  return conditions.length ? Prisma.sql`WHERE ${Prisma.join(conditions, ' AND ')}` : Prisma.empty;
}

export interface Page {
  /** rows to fetch: one more than returned, to know whether more exist */
  fetch: number;
  take: number;
  offset: number;
  /** the limit came from the server maximum, not from the client */
  capped: boolean;
}

export function page(query: IndexQuery, options: FindOptions): Page {
  const max = options.maxResults ?? DEFAULT_MAX_RESULTS;
  const take = Math.min(query.limit ?? max, max);
  return { fetch: take + 1, take, offset: query.offset, capped: query.limit === null || query.limit > max };
}

export function pageSql(p: Page): Prisma.Sql {
  return Prisma.sql`LIMIT ${p.fetch} OFFSET ${p.offset}`;
}

/** Raw-query integers arrive as number (PostgreSQL) or bigint (SQLite). */
export function toNumber(value: unknown): number {
  return typeof value === 'bigint' ? Number(value) : typeof value === 'number' ? value : Number(value ?? 0);
}

/** Whether a key matches on a Patient column, so the search must join "Patient". */
export function matchesOnPatient(query: IndexQuery): boolean {
  for (const key of query.matches.values()) {
    if (key.match.kind !== 'universal' && MATCHABLE_COLUMNS.get(key.tag)?.table === 'Patient') return true;
  }
  return false;
}
