// A facility admin adds a template of their own (a template without sections
// is refused: a report needs somewhere to write). Audited in its transaction.
import { parseInput } from '../../admin/errors';
import { recordAudit } from '../../audit/record-audit';
import { authorizeAdminArea } from '../../policy/admin-area';
import type { Principal } from '../../policy/principal';
import type { ReportContext } from '../report-types';
import { ZTemplateRequest, templateView, type ReportTemplateView } from './template-types';

export async function createReportTemplate(context: Pick<ReportContext, 'db'>, principal: Principal, facilityId: string, input: unknown): Promise<ReportTemplateView> {
  await authorizeAdminArea(context.db, principal.userId, facilityId);
  const template = parseInput(ZTemplateRequest, input);
  const row = await context.db.$transaction(async (tx) => {
    const created = await tx.reportTemplate.create({
      data: { facilityId, name: template.name, modality: template.modality, bodyRegion: template.bodyRegion, sections: JSON.stringify(template.sections), createdById: principal.userId },
    });
    await recordAudit(tx, {
      actor: principal.email,
      actorUserId: principal.userId,
      action: 'admin.report_template.create',
      outcome: 'SUCCESS',
      facilityId,
      resource: `report-template:${created.id}`,
      sourceIp: principal.ip,
      details: { name: template.name, modality: template.modality, bodyRegion: template.bodyRegion, sections: template.sections.length },
    });
    return created;
  });
  return templateView(row);
}
