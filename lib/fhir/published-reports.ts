// The reports of some study copies that a caller may read as FHIR: the
// report rule of the portal (lib/policy/report-access.ts: READ), and only the
// published version (preliminary or signed). A report holding only a draft
// does not exist for FHIR.
import type { Database } from '../../prisma/database';
import { readsReportsOf, reportReaderScope } from '../policy/report-access';
import type { ReportSection } from '../reports/report-types';
import { PUBLISHED_STATUSES, type PublishedReport, type PublishedStatus } from './diagnostic-report-resource';
import type { FhirStudyRow } from './find-readable-studies';

export async function publishedReports(db: Database, userId: string, studies: readonly FhirStudyRow[], filter: { reportId?: string; statuses?: readonly PublishedStatus[] } = {}): Promise<PublishedReport[]> {
  // The studies are in the caller's read scope already (findReadableStudies): the report rule by facility, in one query
  const readers = await reportReaderScope(db, userId);
  const readable = studies.filter((study) => readsReportsOf(readers, study.facilityId));
  if (!readable.length) return [];
  const byId = new Map(readable.map((study) => [study.id, study]));
  const rows = await db.report.findMany({
    where: {
      studyRef: { in: [...byId.keys()] },
      status: { in: [...(filter.statuses ?? PUBLISHED_STATUSES)] },
      publishedVersion: { not: null },
      ...(filter.reportId ? { id: filter.reportId } : {}),
    },
    select: { id: true, status: true, studyRef: true, authorId: true, publishedVersion: true, versions: { select: { version: true, sections: true, savedAt: true, signedAt: true, signedById: true, authorId: true } } },
    orderBy: { updatedAt: 'desc' },
  });
  const published = rows.flatMap((row) => {
    const version = row.versions.find((candidate) => candidate.version === row.publishedVersion);
    return version && row.studyRef ? [{ row, version, study: byId.get(row.studyRef)! }] : [];
  });
  const peopleIds = [...new Set(published.map(({ version }) => version.signedById ?? version.authorId))];
  const names = new Map((await db.user.findMany({ where: { id: { in: peopleIds } }, select: { id: true, name: true, email: true } })).map((user) => [user.id, user.name || user.email]));
  return published.map(({ row, version, study }) => ({
    id: row.id,
    status: row.status as PublishedStatus,
    study,
    version: { version: version.version, sections: JSON.parse(version.sections) as ReportSection[], savedAt: version.savedAt, signedAt: version.signedAt },
    interpreter: names.get(version.signedById ?? version.authorId) ?? '',
  }));
}
