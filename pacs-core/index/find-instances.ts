// Instance-level search (QIDO-RS SearchForInstances, C-FIND IMAGE level).
import { Prisma, type Database } from '../../prisma/database';
import type { AccessScope } from '../access';
import type { DicomJsonDataset } from '../dicom/dicom-json';
import { ArchiveError } from '../errors';
import { parentSelection, SERIES_ROW_COLUMNS, seriesResultAttributes, type SeriesRow } from './find-series';
import { STUDY_ROW_COLUMNS, studyResultAttributes, type StudyRow } from './find-studies';
import { queryConditions } from './match-sql';
import { COMPUTED_TAGS, DEFAULT_INSTANCE_RETURN_TAGS, DEFAULT_SERIES_RETURN_TAGS, DEFAULT_STUDY_RETURN_TAGS } from './query-attributes';
import type { IndexQuery } from './query-model';
import { copySelected, explicitTags, finishResult, parseStoredJson, returnSelection, setCommonComputed, setComputed } from './result-attributes';
import { matchesOnPatient, page, pageSql, scopeCondition, whereClause, type FindOptions, type SearchResult } from './search-support';

interface InstanceRow extends StudyRow, SeriesRow {
  sopInstanceUid: string;
  instanceAttributes: string;
}

/**
 * Instances matching the query in studies the scope lets the caller see: by
 * study and series (as findSeries), then InstanceNumber (absent last), then row
 * id. includefield=all reads Instance.metadata (the whole header, bulk data
 * left out); otherwise only the small Instance.attributes column is read.
 */
export async function findInstances(db: Database, query: IndexQuery, scope: AccessScope, options: FindOptions = {}): Promise<SearchResult> {
  if (query.level !== 'instance') throw new ArchiveError('INTERNAL', `findInstances got a ${query.level}-level query`);
  const scopeSql = scopeCondition(scope);
  if (!scopeSql) return { matches: [], truncated: false };

  const conditions = [scopeSql, ...queryConditions(query, options.today)];
  const join = matchesOnPatient(query) ? Prisma.sql`JOIN "Patient" ON "Patient"."id" = "Study"."patientRef"` : Prisma.empty;
  const instanceJson = query.includeFields === 'all' ? Prisma.sql`"Instance"."metadata"` : Prisma.sql`"Instance"."attributes"`;
  const p = page(query, options);
  const rows = await db.$queryRaw<InstanceRow[]>`
    SELECT "Instance"."sopInstanceUid" AS "sopInstanceUid", ${instanceJson} AS "instanceAttributes",
      ${SERIES_ROW_COLUMNS}, ${STUDY_ROW_COLUMNS}
    FROM "Instance"
      JOIN "Series" ON "Series"."id" = "Instance"."seriesRef"
      JOIN "Study" ON "Study"."id" = "Series"."studyRef" ${join}
    ${whereClause(conditions)}
    ORDER BY "Study"."studyDate" DESC, "Study"."studyTime" DESC, "Study"."id" DESC,
      "Series"."seriesNumber" IS NULL, "Series"."seriesNumber", "Series"."id",
      "Instance"."instanceNumber" IS NULL, "Instance"."instanceNumber", "Instance"."id"
    ${pageSql(p)}`;

  const withStudy = options.includeStudyAttributes ?? true;
  const withSeries = options.includeSeriesAttributes ?? true;
  const defaults = [
    ...DEFAULT_INSTANCE_RETURN_TAGS,
    ...(withSeries ? DEFAULT_SERIES_RETURN_TAGS : []),
    ...(withStudy ? DEFAULT_STUDY_RETURN_TAGS : []),
  ];
  const selection = returnSelection(query, defaults, { includeDefaults: options.includeDefaults ?? true });
  const explicit = explicitTags(query);
  const studySelection = parentSelection(selection, withStudy, explicit.keys());
  const seriesSelection = parentSelection(selection, withSeries, explicit.keys());
  const matches = rows.slice(0, p.take).map((row) => {
    const out: DicomJsonDataset = {};
    studyResultAttributes(out, row, studySelection);
    seriesResultAttributes(out, row, seriesSelection);
    // The instance's own values last: with includefield=all the full header also
    // holds patient/study/series values, identical to the stored levels
    copySelected(out, parseStoredJson(row.instanceAttributes), selection);
    setCommonComputed(out, selection, 'instance');
    if (options.baseUrl) {
      setComputed(out, selection, COMPUTED_TAGS.retrieveUrl, {
        vr: 'UR',
        Value: [`${options.baseUrl}/studies/${row.studyInstanceUid}/series/${row.seriesInstanceUid}/instances/${row.sopInstanceUid}`],
      });
    }
    return finishResult(out, explicit);
  });
  return { matches, truncated: p.capped && rows.length > p.take };
}
