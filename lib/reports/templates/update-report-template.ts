// A facility admin edits or retires one of the facility's templates (the
// shipped ones are read-only: NOT_FOUND here, as is another facility's).
// Reports already started keep the sections they were made with (copied into
// their versions), so an edit never changes a written report.
import { DomainError } from '../../errors';
import { parseInput } from '../../admin/errors';
import { recordAudit } from '../../audit/record-audit';
import { authorizeAdminArea } from '../../policy/admin-area';
import type { Principal } from '../../policy/principal';
import type { ReportContext } from '../report-types';
import { ZTemplateUpdate, templateView, type ReportTemplateView } from './template-types';

export async function updateReportTemplate(
  context: Pick<ReportContext, 'db'>,
  principal: Principal,
  facilityId: string,
  templateId: string,
  input: unknown,
): Promise<ReportTemplateView> {
  await authorizeAdminArea(context.db, principal.userId, facilityId);
  const change = parseInput(ZTemplateUpdate, input);
  const before = await context.db.reportTemplate.findFirst({ where: { id: templateId, facilityId } });
  if (!before) throw new DomainError('NOT_FOUND', 'report template not found', { userMessage: 'Not found.' });
  const retire = change.retired === true && before.retiredAt === null;
  const row = await context.db.$transaction(async (tx) => {
    const updated = await tx.reportTemplate.update({
      where: { id: templateId },
      data: {
        ...(change.name !== undefined ? { name: change.name } : {}),
        ...(change.modality !== undefined ? { modality: change.modality } : {}),
        ...(change.bodyRegion !== undefined ? { bodyRegion: change.bodyRegion } : {}),
        ...(change.sections !== undefined ? { sections: JSON.stringify(change.sections) } : {}),
        ...(change.retired !== undefined ? { retiredAt: change.retired ? (before.retiredAt ?? new Date()) : null } : {}),
      },
    });
    const common = { actor: principal.email, actorUserId: principal.userId, outcome: 'SUCCESS' as const, facilityId, resource: `report-template:${templateId}`, sourceIp: principal.ip };
    if (retire) await recordAudit(tx, { ...common, action: 'admin.report_template.retire', details: { name: updated.name } });
    if (change.name !== undefined || change.sections !== undefined || change.modality !== undefined || change.bodyRegion !== undefined || change.retired === false) {
      await recordAudit(tx, {
        ...common,
        action: 'admin.report_template.update',
        details: { ...(change.name !== undefined ? { name: { from: before.name, to: updated.name } } : {}), ...(change.sections ? { sections: change.sections.length } : {}) },
      });
    }
    return updated;
  });
  return templateView(row);
}
