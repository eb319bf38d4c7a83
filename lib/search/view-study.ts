// A study as the signed-in viewer may see it, with what they may do to it:
// the read scope and every "may they" are decided here (lib/policy), not by
// the page. null when the viewer may not read it (the page answers "not
// found", as for a study that does not exist).
import type { Database } from '../../prisma/database';
import { listInvitableColleagues, type InvitableColleague } from '../consult/list-invitable-colleagues';
import { canAdministerFacility, readScopeFor, reportAccessFor } from '../policy';
import { studyReportSummaries, studyCopyKey, type StudyReportSummary } from '../reports/study-report-summaries';
import { instanceHeader, studyDetail, type StudyDetail } from './study-detail';

export interface Viewer {
  id: string;
  memberships: readonly { facilityId: string }[];
}

export interface OpenedStudy {
  study: StudyDetail;
  /** An administrator of the study's facility: may delete it (lib/studies/delete-study.ts) */
  mayDelete: boolean;
  /** Members of the study's facility start teleconsultations on it (an invited expert or a guest only looks) */
  mayStartConsultation: boolean;
  /** Whom they may invite, when they may start one */
  colleagues: InvitableColleague[];
  /** The DICOM header of the instance asked for (?tags=series&instance=sop) */
  header: Awaited<ReturnType<typeof instanceHeader>>;
  /** Whether the viewer reads this study's reports (lib/policy/report-access.ts) */
  mayReadReports: boolean;
  /** The study's report as the viewer may see it (badge, versions, PDF); null: none to show */
  report: StudyReportSummary | null;
}

/** The study the viewer may read, or null. */
export async function viewStudy(context: { db: Database }, viewer: Pick<Viewer, 'id'>, studyInstanceUid: string): Promise<StudyDetail | null> {
  return studyDetail(context.db, await readScopeFor(context.db, viewer.id), studyInstanceUid);
}

export async function openStudy(
  context: { db: Database },
  viewer: Viewer,
  studyInstanceUid: string,
  options: { tagsSeries?: string; instance?: string } = {},
): Promise<OpenedStudy | null> {
  const study = await viewStudy(context, viewer, studyInstanceUid);
  if (!study) return null;
  const mayStartConsultation = isMemberOf(viewer, study.facility.id);
  return {
    study,
    mayDelete: await canAdministerFacility(context.db, viewer.id, study.facility.id),
    mayStartConsultation,
    colleagues: mayStartConsultation ? await listInvitableColleagues(context.db, viewer.id) : [],
    header: options.tagsSeries ? await instanceHeader(context.db, study.id, options.tagsSeries, options.instance) : null,
    mayReadReports: (await reportAccessFor(context.db, viewer.id, { id: study.id, facilityId: study.facility.id })).read,
    report: await studyReport(context.db, viewer.id, { facilityId: study.facility.id, studyInstanceUid: study.studyInstanceUid }),
  };
}

async function studyReport(db: Database, userId: string, study: { facilityId: string; studyInstanceUid: string }): Promise<StudyReportSummary | null> {
  return (await studyReportSummaries(db, userId, [study])).get(studyCopyKey(study)) ?? null;
}

export function isMemberOf(viewer: Viewer, facilityId: string): boolean {
  return viewer.memberships.some((membership) => membership.facilityId === facilityId);
}
