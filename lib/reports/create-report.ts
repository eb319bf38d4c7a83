// An expert starts the report of a study copy from a template. One report per
// copy, ever (Report @@unique): asking again returns the one already there
// when the caller may see it (created: false), else CONFLICT (a colleague's
// draft: it stays theirs until released). Two simultaneous first creates: the
// unique key lets one in; the other answers as if it came second.
import { parseInput } from '../admin/errors';
import { DomainError } from '../errors';
import { authorizeReportAccess } from '../policy/report-access';
import { readScopeFor } from '../policy/read-scope';
import { authorizeStudyAccess } from '../policy/study-access';
import type { Principal } from '../policy/principal';
import { loadReport } from './load-report';
import { caseReportTarget, requireCaseReportWriter } from '../referrals/case-report';
import { startCaseOnReport } from '../referrals/transition-referral';
import { recordReportAudit } from './report-audit';
import { ZCreateReportRequest, type ReportContext, type ReportSection } from './report-types';
import { reportView, type ReportView } from './report-view';
import type { TemplateSection } from './templates/template-types';

export async function createReport(context: Pick<ReportContext, 'db'>, principal: Principal, studyInstanceUid: string, input: unknown): Promise<{ created: boolean; report: ReportView }> {
  const { db } = context;
  const { templateId, referralId } = parseInput(ZCreateReportRequest, input);
  const target = referralId ? await caseReportTarget(db, principal, referralId) : null;
  if (target && target.study.studyInstanceUid !== studyInstanceUid) throw new DomainError('NOT_FOUND', 'case report on another study', { userMessage: 'Not found.' });
  const study = target?.study ?? (await authorizeStudyAccess(db, await readScopeFor(db, principal.userId), studyInstanceUid));
  await authorizeReportAccess(db, principal.userId, study, 'write');
  const reportKey = target?.referralId ?? '';
  const existing = await existingReport(context, principal, study, reportKey);
  if (existing) return { created: false, report: existing };
  if (target) requireCaseReportWriter(target);

  const memberOf = (await db.membership.findMany({ where: { userId: principal.userId }, select: { facilityId: true } })).map((row) => row.facilityId);
  const template = await db.reportTemplate.findFirst({
    where: { id: templateId, retiredAt: null, OR: [{ facilityId: null }, { facilityId: { in: [study.facilityId, ...memberOf] } }] },
  });
  if (!template) throw new DomainError('INVALID_INPUT', 'unknown or retired template', { userMessage: 'Pick one of the offered templates.', fields: { templateId: 'Pick one of the offered templates' } });
  const sections: ReportSection[] = (JSON.parse(template.sections) as TemplateSection[]).map((section) => ({ key: section.key, title: section.title, text: section.defaultText ?? '', pick: null }));

  try {
    const reportId = await db.$transaction(async (tx) => {
      const report = await tx.report.create({
        data: {
          studyRef: study.id,
          facilityId: study.facilityId,
          studyInstanceUid: study.studyInstanceUid,
          templateId: template.id,
          authorId: principal.userId,
          referralId: target?.referralId ?? null,
          reportKey,
          versions: { create: { version: 1, kind: 'ORIGINAL', status: 'DRAFT', authorId: principal.userId, sections: JSON.stringify(sections) } },
        },
      });
      await recordReportAudit(tx, principal, { id: report.id, study }, 'report.create', { templateId: template.id, version: 1 });
      return report.id;
    });
    // Starting the case's report starts the case (accepted → in progress)
    if (target) await startCaseOnReport(context, principal, target.referralId);
    return { created: true, report: await reportView(db, await loadReport(db, principal, reportId, 'write'), principal.userId) };
  } catch (error) {
    // Another create for this copy committed first (P2002: unique constraint)
    if ((error as { code?: unknown } | null)?.code === 'P2002') {
      const raced = await existingReport(context, principal, study, reportKey);
      if (raced) return { created: false, report: raced };
    }
    throw error;
  }
}

async function existingReport(context: Pick<ReportContext, 'db'>, principal: Principal, study: { facilityId: string; studyInstanceUid: string }, reportKey: string): Promise<ReportView | null> {
  const row = await context.db.report.findUnique({ where: { facilityId_studyInstanceUid_reportKey: { facilityId: study.facilityId, studyInstanceUid: study.studyInstanceUid, reportKey } }, select: { id: true } });
  if (!row) return null;
  try {
    return await reportView(context.db, await loadReport(context.db, principal, row.id, 'write'), principal.userId);
  } catch (error) {
    if (error instanceof DomainError && error.code === 'NOT_FOUND') {
      throw new DomainError('CONFLICT', 'another expert is drafting this report', { userMessage: 'Another expert is writing the report of this study. It will show here once it is released.' });
    }
    throw error;
  }
}
