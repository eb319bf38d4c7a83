// Autosave of the version being written (a draft, or a preliminary its author
// revises). Last write wins only for the writer who saw the last write: each
// save names the revision it started from, and the update is conditional on
// it, so two tabs (or a tab and a restart) cannot silently overwrite each
// other — the stale one gets CONFLICT and reloads. A retried save whose text
// is already stored succeeds without a new revision (the first try went
// through; the network lost the answer), which makes autosave idempotent.
import { AdminError, parseInput } from '../admin/errors';
import type { Principal } from '../policy/principal';
import { applySections } from './apply-sections';
import { checkKeyImageAnnotations } from './check-key-image-annotations';
import { loadReport, staleRevision, workingVersionOf } from './load-report';
import { recordReportAudit } from './report-audit';
import { ZSaveDraftRequest, type ReportContext } from './report-types';
import { reportView, type ReportView } from './report-view';
import { isBeingSigned, notBeingSigned } from './signed-artifacts';

export async function saveDraft(context: Pick<ReportContext, 'db'>, principal: Principal, reportId: string, input: unknown): Promise<ReportView> {
  const { db } = context;
  const request = parseSaveDraft(input);
  const report = await loadReport(db, principal, reportId, 'write');
  const working = workingVersionOf(report, principal);
  const sections = applySections(working.sections, request.sections, working.kind);
  const keyImages = request.keyImages ?? working.keyImages;
  const comparisonStudyUid = request.comparisonStudyUid === undefined ? working.comparisonStudyUid : request.comparisonStudyUid;
  const unchanged =
    JSON.stringify(sections) === JSON.stringify(working.sections) &&
    JSON.stringify(keyImages) === JSON.stringify(working.keyImages) &&
    comparisonStudyUid === working.comparisonStudyUid;
  if (unchanged) return reportView(db, report, principal.userId);
  if (report.revision !== request.baseRevision || isBeingSigned(report)) throw staleRevision(report.revision);
  if (request.keyImages) await checkKeyImageAnnotations(db, report.study.id, request.keyImages);

  await db.$transaction(async (tx) => {
    const claimed = await tx.report.updateMany({ where: { id: report.id, revision: request.baseRevision, ...notBeingSigned() }, data: { revision: { increment: 1 }, signingToken: null, signingSince: null } });
    if (claimed.count !== 1) throw staleRevision(report.revision);
    await tx.reportVersion.update({
      where: { id: working.id },
      data: { sections: JSON.stringify(sections), keyImages: JSON.stringify(keyImages), comparisonStudyUid, savedAt: new Date() },
    });
    await recordReportAudit(tx, principal, report, 'report.save', { version: working.version, revision: request.baseRevision + 1, sections: sections.length, keyImages: keyImages.length });
  });
  return reportView(db, await loadReport(db, principal, reportId, 'write'), principal.userId);
}

/** As parseInput, but a wrong key-image annotation is named: "Key image 1, annotation 2: Length has 2 handles (imagePoints)" */
function parseSaveDraft(input: unknown) {
  const parsed = ZSaveDraftRequest.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues.find((candidate) => candidate.path[0] === 'keyImages' && candidate.path[2] === 'annotations');
  if (!issue) return parseInput(ZSaveDraftRequest, input);
  const [, image, , annotation, ...field] = issue.path;
  const where = annotation === undefined ? `Key image ${Number(image) + 1}` : `Key image ${Number(image) + 1}, annotation ${Number(annotation) + 1}`;
  const message = `${where}: ${issue.message}${field.length ? ` (${field.join('.')})` : ''}.`;
  throw new AdminError('INVALID_INPUT', message, { keyImages: message });
}
