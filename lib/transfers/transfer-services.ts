// The services a notice can be sent or redirected to (issue 17): the enabled services of the
// node's enabled facilities, by facility. The redirect form of a notice's page offers them;
// act-on-transfer.ts checks the one chosen again.
import type { TransferContext } from './transfer-types';

export interface TransferServiceChoice {
  id: string;
  name: string;
  facilityId: string;
  facilityName: string;
}

export async function transferServiceChoices(context: TransferContext): Promise<TransferServiceChoice[]> {
  const services = await context.db.service.findMany({
    where: { disabledAt: null, facility: { disabledAt: null } },
    orderBy: [{ facility: { name: 'asc' } }, { name: 'asc' }],
    select: { id: true, name: true, facilityId: true, facility: { select: { name: true } } },
  });
  return services.map((service) => ({ id: service.id, name: service.name, facilityId: service.facilityId, facilityName: service.facility.name }));
}
