// What findStudies/findSeries/findInstances share: the access scope as SQL,
// paging with the server's maximum, and the options of a search.
import { Prisma } from '../../prisma/database';
import type { AccessScope } from '../access';
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
 * (then no query is run at all). Study copies granted one by one
 * (teleconsultations) add `OR ("Study"."facilityId" = … AND
 * "Study"."studyInstanceUid" = …)`; without grants — nearly every caller — the
 * condition is the facility list alone, as the benches measured it.
 *
 * Each facility holds its own copy of a study, so a scope may hold several
 * copies of one UID. The caller then sees one: the oldest copy (createdAt,
 * then id) among those the scope holds. That rule lives here only, as a NOT
 * EXISTS over an older visible copy, added only when the scope can hold more
 * than one copy ('all', several facilities, any grant); one facility without
 * grants cannot (its copies are unique), and keeps the plain condition.
 */
export function scopeCondition(scope: AccessScope): Prisma.Sql | null {
  const inScope = scopeOn(scope, Prisma.raw('"Study"'));
  if (!inScope || !mayHoldSeveralCopies(scope)) return inScope;
  const older = Prisma.raw('"olderCopy"');
  const olderInScope = scopeOn(scope, older);
  return Prisma.sql`${inScope} AND NOT EXISTS (
    SELECT 1 FROM "Study" ${older}
    WHERE ${older}."studyInstanceUid" = "Study"."studyInstanceUid"
      AND (${older}."createdAt" < "Study"."createdAt" OR (${older}."createdAt" = "Study"."createdAt" AND ${older}."id" < "Study"."id"))
      AND ${olderInScope})`;
}

function mayHoldSeveralCopies(scope: AccessScope): boolean {
  return scope.kind === 'all' || scope.facilityIds.length > 1 || (scope.studyGrants?.length ?? 0) > 0;
}

/** The scope on one alias of "Study" (without the one-copy rule); null = nothing visible. */
function scopeOn(scope: AccessScope, table: Prisma.Sql): Prisma.Sql | null {
  if (scope.kind === 'all') return Prisma.sql`1 = 1`;
  const alternatives: Prisma.Sql[] = [];
  if (scope.facilityIds.length) alternatives.push(Prisma.sql`${table}."facilityId" IN (${Prisma.join([...scope.facilityIds])})`);
  for (const grant of scope.studyGrants ?? []) {
    alternatives.push(Prisma.sql`(${table}."facilityId" = ${grant.facilityId} AND ${table}."studyInstanceUid" = ${grant.studyInstanceUid})`);
  }
  if (!alternatives.length) return null;
  return alternatives.length === 1 ? alternatives[0] : Prisma.sql`(${Prisma.join(alternatives, ' OR ')})`;
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
