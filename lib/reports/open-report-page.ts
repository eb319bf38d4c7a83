// What the report page (/studies/{uid}/report) shows a caller: the study, its
// report (the newest version they may see, or ?version=n), or, when there is
// none and they may write, the templates to start from; the pick lists of the
// report's template; the patient's other studies to compare with; and the
// images of the study to pick key images from, with the annotations of the
// teleconsultations on it the caller took part in. NOT_FOUND (the page's "not
// found") for anyone who may not read the study's reports — the decision is
// listReportsForStudy's (lib/policy/report-access.ts), not the page's.
import type { CollabAnnotation } from '../collab/protocol';
import { listStudyAnnotations } from '../consult/list-study-annotations';
import { DomainError } from '../errors';
import { readScopeFor } from '../policy/read-scope';
import type { Principal } from '../policy/principal';
import { patientHistory } from '../search/patient-history';
import { studyDetail, type StudyDetail } from '../search/study-detail';
import { caseReportTarget } from '../referrals/case-report';
import { getReport } from './get-report';
import { listReportsForStudy } from './list-reports-for-study';
import type { ReportContext } from './report-types';
import type { ReportView } from './report-view';
import { listReportTemplates } from './templates/list-report-templates';
import { templateView, type ReportTemplateView } from './templates/template-types';

export interface ReportPagePrior {
  studyInstanceUid: string;
  studyDate: string;
  description: string;
  modalities: string[];
}

export interface ReportPageSeries {
  seriesInstanceUid: string;
  seriesNumber: number | null;
  modality: string;
  description: string;
  /** SOP Instance UIDs in instance-number order (the key-image picker steps through them) */
  instances: { sopInstanceUid: string; instanceNumber: number | null }[];
}

export interface ReportPage {
  study: StudyDetail;
  report: ReportView | null;
  mayWrite: boolean;
  /** The second-opinion case whose report this page shows (?referral=), or null for the copy's own */
  referralId: string | null;
  /** Offered when there is no report yet and the caller may write */
  templates: ReportTemplateView[];
  /** The pick list of each section of the report's template, by section key */
  pickLists: Record<string, { label: string; options: string[] }>;
  priors: ReportPagePrior[];
  series: ReportPageSeries[];
  /** The study's annotations from the teleconsultations on it the caller took part in (a key image takes a copy) */
  annotations: CollabAnnotation[];
}

/** Instances listed per series for the key-image picker: enough to step through a long series */
const MAX_INSTANCES_PER_SERIES = 2000;

export async function openReportPage(context: ReportContext, principal: Principal, studyInstanceUid: string, options: { version?: number; referralId?: string } = {}): Promise<ReportPage> {
  const { db } = context;
  // A case's report (?referral=): the case decides who writes it (lib/referrals/case-report.ts)
  const target = options.referralId ? await caseReportTarget(db, principal, options.referralId) : null;
  if (target && target.study.studyInstanceUid !== studyInstanceUid) throw new DomainError('NOT_FOUND', 'case report on another study', { userMessage: 'Not found.' });
  const listing = await listReportsForStudy(context, principal, studyInstanceUid);
  const study = await studyDetail(db, await readScopeFor(db, principal.userId), studyInstanceUid);
  if (!study) throw new DomainError('NOT_FOUND', 'study not found', { userMessage: 'Not found.' });
  const existing = listing.reports.find((listed) => listed.referralId === (target?.referralId ?? null));
  const mayWrite = listing.mayWrite && (!target || target.mayWrite || existing !== undefined);
  const report = existing ? await getReport(context, principal, existing.id, options) : null;
  // A writer through a grant (an invited expert, a case's expert of another facility) is no member
  // of the study's facility: they pick from their own facilities' templates (createReport accepts those)
  const templates = await listReportTemplates(context, principal, study.facility.id).catch(async (error: unknown) => {
    if (error instanceof DomainError && error.code === 'NOT_FOUND') return templatesOfOwnFacilities(context, principal);
    throw error;
  });
  const pickLists: ReportPage['pickLists'] = {};
  const templateId = report?.templateId;
  const template = templateId ? (templates.find((candidate) => candidate.id === templateId) ?? (await templateSections(context, templateId))) : null;
  for (const section of template?.sections ?? []) if (section.pickList) pickLists[section.key] = section.pickList;
  return {
    study,
    report,
    mayWrite,
    referralId: target?.referralId ?? null,
    templates: report ? [] : mayWrite ? templates : [],
    pickLists,
    priors: await priorsOf(context, principal, study),
    // The author picks key images from them; a reader's list names its key images by series and number
    series: report && (report.version.editable || report.version.keyImages.length > 0) ? await seriesInstances(context, study) : [],
    annotations: await listStudyAnnotations(db, principal.userId, { facilityId: study.facility.id, studyInstanceUid: study.studyInstanceUid }),
  };
}

async function templatesOfOwnFacilities(context: Pick<ReportContext, 'db'>, principal: Principal): Promise<ReportTemplateView[]> {
  const memberships = await context.db.membership.findMany({ where: { userId: principal.userId, facility: { disabledAt: null } }, select: { facilityId: true }, distinct: ['facilityId'] });
  const byId = new Map<string, ReportTemplateView>();
  for (const { facilityId } of memberships) for (const template of await listReportTemplates(context, principal, facilityId)) byId.set(template.id, template);
  return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name));
}

// A retired template (or another facility's, for a granted expert) is not in the list offered: read it directly
async function templateSections(context: Pick<ReportContext, 'db'>, templateId: string): Promise<ReportTemplateView | null> {
  const row = await context.db.reportTemplate.findUnique({ where: { id: templateId } });
  return row ? templateView(row) : null;
}

async function priorsOf(context: Pick<ReportContext, 'db'>, principal: Principal, study: StudyDetail): Promise<ReportPagePrior[]> {
  const history = await patientHistory(context.db, await readScopeFor(context.db, principal.userId), study.patient.id);
  return (history?.studies ?? [])
    .filter((other) => other.studyInstanceUid !== study.studyInstanceUid)
    .map((other) => ({ studyInstanceUid: other.studyInstanceUid, studyDate: other.studyDate, description: other.description, modalities: other.modalities }));
}

async function seriesInstances(context: Pick<ReportContext, 'db'>, study: StudyDetail): Promise<ReportPageSeries[]> {
  const rows = await context.db.instance.findMany({
    where: { series: { studyRef: study.id } },
    orderBy: [{ instanceNumber: 'asc' }, { sopInstanceUid: 'asc' }],
    select: { sopInstanceUid: true, instanceNumber: true, series: { select: { seriesInstanceUid: true } } },
    take: MAX_INSTANCES_PER_SERIES * Math.max(1, study.series.length),
  });
  return study.series.map((series) => ({
    seriesInstanceUid: series.seriesInstanceUid,
    seriesNumber: series.seriesNumber,
    modality: series.modality,
    description: series.description,
    instances: rows
      .filter((row) => row.series.seriesInstanceUid === series.seriesInstanceUid)
      .slice(0, MAX_INSTANCES_PER_SERIES)
      .map((row) => ({ sopInstanceUid: row.sopInstanceUid, instanceNumber: row.instanceNumber })),
  }));
}
