// Study-level search (QIDO-RS SearchForStudies, C-FIND STUDY level), from the
// index only: one SQL query, never a DICOM file (DESIGN.md data flow 2).
import { Prisma, type Database } from '../../prisma/database';
import type { AccessScope } from '../access';
import type { DicomJsonDataset } from '../dicom/dicom-json';
import { ArchiveError } from '../errors';
import { queryConditions } from './match-sql';
import { COMPUTED_TAGS, DEFAULT_STUDY_RETURN_TAGS } from './query-attributes';
import type { IndexQuery } from './query-model';
import {
  copySelected,
  explicitTags,
  finishResult,
  parseStoredJson,
  returnSelection,
  setCommonComputed,
  setComputed,
  splitModalities,
  type ReturnSelection,
} from './result-attributes';
import { matchesOnPatient, page, pageSql, scopeCondition, toNumber, whereClause, type FindOptions, type SearchResult } from './search-support';

/** The Study columns every study-level result needs. */
export interface StudyRow {
  studyInstanceUid: string;
  studyAttributes: string;
  modalities: string;
  numberOfSeries: unknown;
  numberOfInstances: unknown;
}

export const STUDY_ROW_COLUMNS = Prisma.sql`"Study"."studyInstanceUid" AS "studyInstanceUid", "Study"."attributes" AS "studyAttributes",
  "Study"."modalities" AS "modalities", "Study"."numberOfSeries" AS "numberOfSeries", "Study"."numberOfInstances" AS "numberOfInstances"`;

/** PS3.18 10.6.3.3.1 study attributes of one row: stored ones plus computed ones. */
export function studyResultAttributes(out: DicomJsonDataset, row: StudyRow, selection: ReturnSelection): void {
  copySelected(out, parseStoredJson(row.studyAttributes), selection);
  const modalities = splitModalities(row.modalities);
  setComputed(out, selection, COMPUTED_TAGS.modalitiesInStudy, modalities.length ? { vr: 'CS', Value: modalities } : { vr: 'CS' });
  setComputed(out, selection, COMPUTED_TAGS.numberOfStudyRelatedSeries, { vr: 'IS', Value: [toNumber(row.numberOfSeries)] });
  setComputed(out, selection, COMPUTED_TAGS.numberOfStudyRelatedInstances, { vr: 'IS', Value: [toNumber(row.numberOfInstances)] });
}

/**
 * Studies matching the query that the scope lets the caller see, newest first
 * (StudyDate, StudyTime descending; the row id breaks ties so pages never
 * overlap or skip). Throws ArchiveError('BAD_REQUEST') for a key the index
 * cannot match at study level.
 */
export async function findStudies(db: Database, query: IndexQuery, scope: AccessScope, options: FindOptions = {}): Promise<SearchResult> {
  if (query.level !== 'study') throw new ArchiveError('INTERNAL', `findStudies got a ${query.level}-level query`);
  const scopeSql = scopeCondition(scope);
  if (!scopeSql) return { matches: [], truncated: false };

  const conditions = [scopeSql, ...queryConditions(query, options.today)];
  const join = matchesOnPatient(query) ? Prisma.sql`JOIN "Patient" ON "Patient"."id" = "Study"."patientRef"` : Prisma.empty;
  const p = page(query, options);
  const rows = await db.$queryRaw<StudyRow[]>`
    SELECT ${STUDY_ROW_COLUMNS}
    FROM "Study" ${join}
    ${whereClause(conditions)}
    ORDER BY "Study"."studyDate" DESC, "Study"."studyTime" DESC, "Study"."id" DESC
    ${pageSql(p)}`;

  const selection = returnSelection(query, DEFAULT_STUDY_RETURN_TAGS, { includeDefaults: options.includeDefaults ?? true });
  const explicit = explicitTags(query);
  const matches = rows.slice(0, p.take).map((row) => {
    const out: DicomJsonDataset = {};
    studyResultAttributes(out, row, selection);
    setCommonComputed(out, selection, 'study');
    if (options.baseUrl) setComputed(out, selection, COMPUTED_TAGS.retrieveUrl, { vr: 'UR', Value: [`${options.baseUrl}/studies/${row.studyInstanceUid}`] });
    return finishResult(out, explicit);
  });
  return { matches, truncated: p.capped && rows.length > p.take };
}

/** Whether the study exists and the scope lets the caller see it (absent and hidden look alike). */
export async function isStudyVisible(db: Database, studyInstanceUid: string, scope: AccessScope): Promise<boolean> {
  const scopeSql = scopeCondition(scope);
  if (!scopeSql) return false;
  const rows = await db.$queryRaw<{ found: unknown }[]>`
    SELECT 1 AS "found" FROM "Study" WHERE "Study"."studyInstanceUid" = ${studyInstanceUid} AND ${scopeSql} LIMIT 1`;
  return rows.length > 0;
}

/** Whether the series exists in that study and the study is visible. */
export async function isSeriesVisible(db: Database, studyInstanceUid: string, seriesInstanceUid: string, scope: AccessScope): Promise<boolean> {
  const scopeSql = scopeCondition(scope);
  if (!scopeSql) return false;
  const rows = await db.$queryRaw<{ found: unknown }[]>`
    SELECT 1 AS "found" FROM "Series" JOIN "Study" ON "Study"."id" = "Series"."studyRef"
    WHERE "Series"."seriesInstanceUid" = ${seriesInstanceUid} AND "Study"."studyInstanceUid" = ${studyInstanceUid} AND ${scopeSql} LIMIT 1`;
  return rows.length > 0;
}
