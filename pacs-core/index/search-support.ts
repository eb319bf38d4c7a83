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
 * (then no query is run at all). A scope with a grantee adds the Study rows
 * of the grantee's active grants (grantedStudyRefs): the grants are joined,
 * not listed, so the statement is the same for 5 grants or 5,000 (bench/
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
  // Probed per candidate older copy (rarely any): never rebuilds the granted set
  const olderInScope = scopeOn(scope, older, now, true);
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
 * patient's own studies: readable-studies.ts). probe=true: the grants as a
 * per-row EXISTS only (see grantedStudyRefs).
 */
export function scopeOn(scope: AccessScope, table: Prisma.Sql, now = new Date(), probe = false): Prisma.Sql | null {
  if (scope.kind === 'all') return Prisma.sql`1 = 1`;
  const ownFacilities = scope.facilityIds.length ? Prisma.sql`${table}."facilityId" IN (${Prisma.join([...scope.facilityIds])})` : null;
  if (!scope.grantee) return ownFacilities;
  const granted = probe
    ? grantProbe(scope.grantee, scope.facilityIds, table, now)
    : Prisma.sql`${table}."id" IN (${grantedStudyRefs(scope.grantee, scope.facilityIds, now)})`;
  return ownFacilities ? Prisma.sql`(${ownFacilities} OR ${granted})` : granted;
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
 * The Study rows granted to the grantee: the user, one of their services, or
 * one of their facilities, by active grants only — not revoked, validFrom <=
 * now, validUntil absent or later (the schema's AccessGrant; the portal writes
 * it). One indexed SELECT per way a grant reaches the caller, so the lookup
 * costs the caller's own grants, never the table's.
 *
 * The shapes around it are chosen for the plan (bench/grants-scope.ts):
 * - `facilityId IN (…) OR id IN (granted)`: the granted set is built once per
 *   statement (a hash or a Bloom filter) and each row is checked against it;
 *   with grants only (a guest) the search starts from the granted rows;
 * - inside the one-copy rule, a correlated EXISTS probed by "studyRef" for the
 *   rare older copy (grantProbe): there an IN would rebuild the granted set
 *   for every candidate row (PostgreSQL measured 105 ms instead of 7 for the
 *   newest 101 with 5,000 grants).
 */
function grantedStudyRefs(grantee: Grantee, facilityIds: readonly string[], now: Date): Prisma.Sql {
  const selects = granteeTerms(grantee, facilityIds).map(
    (term) => Prisma.sql`SELECT "accessGrant"."studyRef" FROM "AccessGrant" "accessGrant" WHERE ${term} AND ${ACTIVE_GRANT(now)}`,
  );
  return Prisma.join(selects, ' UNION ALL ');
}

function grantProbe(grantee: Grantee, facilityIds: readonly string[], table: Prisma.Sql, now: Date): Prisma.Sql {
  return Prisma.sql`EXISTS (
    SELECT 1 FROM "AccessGrant" "accessGrant"
    WHERE "accessGrant"."studyRef" = ${table}."id" AND ${ACTIVE_GRANT(now)} AND (${Prisma.join(granteeTerms(grantee, facilityIds), ' OR ')}))`;
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
