// The worklist's Report column and filter (issue 14). What a row shows is the
// report's status as the viewer may see it (lib/policy/report-access.ts):
// nothing where they may not read reports (EMERGENCY members, guests), a
// DRAFT only to its author, else PRELIMINARY / FINAL / AMENDED / ADDENDUM.
// The filter is a condition on the Report table probed per study by its
// studyRef index (EXISTS), so the unfiltered worklist does not join it at
// all and the page joins it for its 25 rows only.
import { Prisma } from '../../prisma/database';
import { readsReportsOf, type ReportReaderScope } from '../policy/report-access';

export const REPORT_FILTERS = ['unreported', 'draft', 'preliminary', 'final', 'amended'] as const;
export type ReportFilter = (typeof REPORT_FILTERS)[number];

/** What the badge says */
export type ReportBadgeStatus = 'DRAFT' | 'PRELIMINARY' | 'FINAL' | 'AMENDED' | 'ADDENDUM';

export interface RowReport {
  id: string;
  status: ReportBadgeStatus;
  /** The version readers see; null for a draft */
  version: number | null;
}

export function isReportFilter(value: string): value is ReportFilter {
  return (REPORT_FILTERS as readonly string[]).includes(value);
}

function inList(column: Prisma.Sql, values: string[]): Prisma.Sql {
  return values.length ? Prisma.sql`${column} IN (${Prisma.join(values)})` : Prisma.sql`1 = 0`;
}

/** The studies whose reports the viewer reads (SQL twin of readsReportsOf) */
function readableReports(scope: ReportReaderScope): Prisma.Sql {
  const facility = Prisma.raw('"Study"."facilityId"');
  const members = inList(facility, scope.memberFacilityIds);
  const granted = scope.readsGrantedReports ? Prisma.sql` OR NOT (${members})` : Prisma.empty;
  return Prisma.sql`(${inList(facility, scope.readerFacilityIds)}${granted})`;
}

const STATUSES_OF: Record<Exclude<ReportFilter, 'unreported' | 'draft'>, string[]> = {
  preliminary: ['PRELIMINARY'],
  final: ['FINAL'],
  amended: ['AMENDED', 'ADDENDUM'],
};

/**
 * The filter as a condition on "Study". Only studies whose reports the viewer
 * reads are listed (else a status filter would tell an EMERGENCY member which
 * studies have a final report). unreported: no report readers see yet (none,
 * or a draft); draft: the viewer's own draft.
 */
export function reportFilterCondition(filter: ReportFilter, scope: ReportReaderScope): Prisma.Sql {
  const report = (condition: Prisma.Sql) => Prisma.sql`EXISTS (SELECT 1 FROM "Report" WHERE "Report"."studyRef" = "Study"."id" AND ${condition})`;
  const byFilter =
    filter === 'unreported'
      ? Prisma.sql`NOT ${report(Prisma.sql`"Report"."status" <> 'DRAFT'`)}`
      : filter === 'draft'
        ? report(Prisma.sql`"Report"."status" = 'DRAFT' AND "Report"."authorId" = ${scope.userId}`)
        : report(inList(Prisma.raw('"Report"."status"'), STATUSES_OF[filter]));
  return Prisma.sql`${readableReports(scope)} AND ${byFilter}`;
}

/** Columns the page query selects (with REPORT_JOIN) */
export const REPORT_COLUMNS = Prisma.sql`, "Study"."facilityId" AS "studyFacilityId", "Report"."id" AS "reportId", "Report"."status" AS "reportStatus",
  "Report"."authorId" AS "reportAuthorId", "Report"."publishedVersion" AS "reportPublishedVersion"`;
export const REPORT_JOIN = Prisma.sql`LEFT JOIN "Report" ON "Report"."studyRef" = "Study"."id"`;

export interface RawReportColumns {
  studyFacilityId: string;
  reportId: string | null;
  reportStatus: string | null;
  reportAuthorId: string | null;
  reportPublishedVersion: unknown;
}

/** The row's report as the viewer may see it, or null */
export function rowReport(row: RawReportColumns, scope: ReportReaderScope | undefined): RowReport | null {
  if (!scope || !row.reportId || !row.reportStatus || !readsReportsOf(scope, row.studyFacilityId)) return null;
  if (row.reportStatus === 'DRAFT') return row.reportAuthorId === scope.userId ? { id: row.reportId, status: 'DRAFT', version: null } : null;
  const version = row.reportPublishedVersion === null || row.reportPublishedVersion === undefined ? null : Number(row.reportPublishedVersion);
  return { id: row.reportId, status: row.reportStatus as ReportBadgeStatus, version };
}
