// The templates a facility's members pick from: the shipped ones and the
// facility's own, by name; NOT_FOUND for anyone who is not a member. With
// retired ones (the administration list): its admins only, else NOT_FOUND.
import { authorizeAdminArea } from '../../policy/admin-area';
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
  if (options.includeRetired) await authorizeAdminArea(context.db, principal.userId, facilityId);
  else await authorizeFacilityMember(context.db, principal.userId, facilityId);
  const rows = await context.db.reportTemplate.findMany({
    where: { OR: [{ facilityId: null }, { facilityId }], ...(options.includeRetired ? {} : { retiredAt: null }) },
    orderBy: [{ name: 'asc' }, { id: 'asc' }],
  });
  return rows.map(templateView);
}
