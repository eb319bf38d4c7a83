// Series-level search (QIDO-RS SearchForSeries, C-FIND SERIES level).
import { Prisma, type Database } from '../../prisma/database';
import type { AccessScope } from '../access';
import type { DicomJsonDataset } from '../dicom/dicom-json';
import { ArchiveError } from '../errors';
import { STUDY_ROW_COLUMNS, studyResultAttributes, type StudyRow } from './find-studies';
import { queryConditions } from './match-sql';
import { COMPUTED_TAGS, DEFAULT_SERIES_RETURN_TAGS, DEFAULT_STUDY_RETURN_TAGS } from './query-attributes';
import type { IndexQuery } from './query-model';
import { copySelected, explicitTags, finishResult, parseStoredJson, returnSelection, setCommonComputed, setComputed, type ReturnSelection } from './result-attributes';
import { matchesOnPatient, page, pageSql, scopeCondition, toNumber, whereClause, type FindOptions, type SearchResult } from './search-support';

export interface SeriesRow {
  seriesInstanceUid: string;
  seriesAttributes: string;
  seriesNumberOfInstances: unknown;
}

export const SERIES_ROW_COLUMNS = Prisma.sql`"Series"."seriesInstanceUid" AS "seriesInstanceUid", "Series"."attributes" AS "seriesAttributes",
  "Series"."numberOfInstances" AS "seriesNumberOfInstances"`;

export function seriesResultAttributes(out: DicomJsonDataset, row: SeriesRow, selection: ReturnSelection): void {
  copySelected(out, parseStoredJson(row.seriesAttributes), selection);
  setComputed(out, selection, COMPUTED_TAGS.numberOfSeriesRelatedInstances, { vr: 'IS', Value: [toNumber(row.seriesNumberOfInstances)] });
}

/**
 * Series matching the query in studies the scope lets the caller see: by
 * study (newest first, as findStudies), then SeriesNumber (absent last), then
 * row id. A query below one study carries its StudyInstanceUID as a key.
 */
export async function findSeries(db: Database, query: IndexQuery, scope: AccessScope, options: FindOptions = {}): Promise<SearchResult> {
  if (query.level !== 'series') throw new ArchiveError('INTERNAL', `findSeries got a ${query.level}-level query`);
  const scopeSql = scopeCondition(scope);
  if (!scopeSql) return { matches: [], truncated: false };

  const conditions = [scopeSql, ...queryConditions(query, options.today)];
  const join = matchesOnPatient(query) ? Prisma.sql`JOIN "Patient" ON "Patient"."id" = "Study"."patientRef"` : Prisma.empty;
  const p = page(query, options);
  const rows = await db.$queryRaw<(SeriesRow & StudyRow)[]>`
    SELECT ${SERIES_ROW_COLUMNS}, ${STUDY_ROW_COLUMNS}
    FROM "Series" JOIN "Study" ON "Study"."id" = "Series"."studyRef" ${join}
    ${whereClause(conditions)}
    ORDER BY "Study"."studyDate" DESC, "Study"."studyTime" DESC, "Study"."id" DESC,
      "Series"."seriesNumber" IS NULL, "Series"."seriesNumber", "Series"."id"
    ${pageSql(p)}`;

  const withStudy = options.includeStudyAttributes ?? true;
  const defaults = withStudy ? [...DEFAULT_SERIES_RETURN_TAGS, ...DEFAULT_STUDY_RETURN_TAGS] : DEFAULT_SERIES_RETURN_TAGS;
  const selection = returnSelection(query, defaults, { includeDefaults: options.includeDefaults ?? true });
  const explicit = explicitTags(query);
  const studySelection = parentSelection(selection, withStudy, explicit.keys());
  const matches = rows.slice(0, p.take).map((row) => {
    const out: DicomJsonDataset = {};
    // Study first so that a series-level value of the same tag (none expected) wins
    studyResultAttributes(out, row, studySelection);
    seriesResultAttributes(out, row, selection);
    setCommonComputed(out, selection, 'series');
    if (options.baseUrl) {
      setComputed(out, selection, COMPUTED_TAGS.retrieveUrl, {
        vr: 'UR',
        Value: [`${options.baseUrl}/studies/${row.studyInstanceUid}/series/${row.seriesInstanceUid}`],
      });
    }
    return finishResult(out, explicit);
  });
  return { matches, truncated: p.capped && rows.length > p.take };
}

/**
 * Below /studies/{study} the study's attributes are not repeated except those
 * the client named (keys such as the StudyInstanceUID the path adds, C-FIND's
 * study-level keys, includefield) — also with includefield=all.
 */
export function parentSelection(selection: ReturnSelection, withParent: boolean, explicit: Iterable<string>): ReturnSelection {
  if (withParent || !selection.all) return selection;
  return { all: false, tags: new Set(explicit) };
}
