// The worklist's Report column and filter (issue 14). What a row shows is the
// report's status as the viewer may see it (lib/policy/report-access.ts):
// nothing where they may not read reports (EMERGENCY members, guests), a
// DRAFT only to its author, else PRELIMINARY / FINAL / AMENDED / ADDENDUM.
// The filter is a set of study copies taken from the Report table
// ("Study"."id" [NOT] IN (SELECT "studyRef" …)), so the unfiltered worklist
// does not touch it at all; the column is one more query for the page's rows (joining Report into
// the page query made SQLite re-plan it: 8 → 80 ms for an MRN on 100k
// studies, bench/worklist-100k.ts).
import { Prisma, type Database } from '../../prisma/database';
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
  // The study copies whose report matches: a set from the Report table (its rows are few beside the studies)
  const report = (condition: Prisma.Sql) => Prisma.sql`"Study"."id" IN (SELECT "Report"."studyRef" FROM "Report" WHERE "Report"."studyRef" IS NOT NULL AND "Report"."reportKey" = '' AND ${condition})`;
  const byFilter =
    filter === 'unreported'
      ? Prisma.sql`NOT ${report(Prisma.sql`"Report"."status" <> 'DRAFT'`)}`
      : filter === 'draft'
        ? report(Prisma.sql`"Report"."status" = 'DRAFT' AND "Report"."authorId" = ${scope.userId}`)
        : report(inList(Prisma.raw('"Report"."status"'), STATUSES_OF[filter]));
  return Prisma.sql`${readableReports(scope)} AND ${byFilter}`;
}

/**
 * The page's reports as the viewer may see them, by Study.id (absent: none
 * shown). One query on the studyRef index for the page's rows.
 */
export async function pageReports(db: Database, scope: ReportReaderScope | undefined, studies: readonly { id: string; facilityId: string }[]): Promise<Map<string, RowReport>> {
  const shown = new Map<string, RowReport>();
  const readable = scope ? studies.filter((study) => readsReportsOf(scope, study.facilityId)) : [];
  if (!scope || readable.length === 0) return shown;
  const reports = await db.report.findMany({
    // The study's own report; a second-opinion case's report shows on its case
    where: { studyRef: { in: readable.map((study) => study.id) }, reportKey: '' },
    select: { id: true, studyRef: true, status: true, authorId: true, publishedVersion: true },
  });
  for (const report of reports) {
    if (!report.studyRef || (report.status === 'DRAFT' && report.authorId !== scope.userId)) continue;
    shown.set(report.studyRef, { id: report.id, status: report.status as ReportBadgeStatus, version: report.status === 'DRAFT' ? null : report.publishedVersion });
  }
  return shown;
}
