// The templates a facility's members pick from: the shipped ones and the
// facility's own, by name. Retired ones only when asked (the admin's list).
// NOT_FOUND for anyone who is not a member of the facility.
import { authorizeFacilityMember } from '../../policy/facility-member';
import type { Principal } from '../../policy/principal';
import type { ReportContext } from '../report-types';
import { templateView, type ReportTemplateView } from './template-types';

export async function listReportTemplates(
  context: Pick<ReportContext, 'db'>,
  principal: Principal,
  facilityId: string,
  options: { includeRetired?: boolean } = {},
): Promise<ReportTemplateView[]> {
  await authorizeFacilityMember(context.db, principal.userId, facilityId);
  const rows = await context.db.reportTemplate.findMany({
    where: { OR: [{ facilityId: null }, { facilityId }], ...(options.includeRetired ? {} : { retiredAt: null }) },
    orderBy: [{ name: 'asc' }, { id: 'asc' }],
  });
  return rows.map(templateView);
}
