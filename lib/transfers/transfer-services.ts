// The services a notice can be sent or redirected to (issue 17): the enabled services of the
// node's enabled facilities, by facility. The redirect form of a notice's page offers them;
// act-on-transfer.ts checks the one chosen again.
import { facilityNames } from '../federation/remote-names';
import type { TransferContext } from './transfer-types';

export interface TransferServiceChoice {
  id: string;
  name: string;
  facilityId: string;
  facilityName: string;
  /** A service of another node (a notice is delivered there; not a redirect's destination yet) */
  remote: boolean;
}

export async function transferServiceChoices(context: TransferContext): Promise<TransferServiceChoice[]> {
  // Services of a paired node's facilities too (issue 19), while the pairing is active
  const active = (await context.db.nodePeer.findMany({ where: { status: 'ACTIVE' }, select: { id: true } })).map((peer) => peer.id);
  const services = await context.db.service.findMany({
    where: { disabledAt: null, facility: { disabledAt: null, OR: [{ nodePeerId: null }, { nodePeerId: { in: active } }] } },
    orderBy: [{ facility: { name: 'asc' } }, { name: 'asc' }],
    select: { id: true, name: true, facilityId: true, remoteId: true, facility: { select: { name: true } } },
  });
  const facilities = await facilityNames(context.db, services.map((service) => service.facilityId));
  return services.map((service) => ({ id: service.id, name: service.name, facilityId: service.facilityId, facilityName: facilities.get(service.facilityId) ?? service.facility.name, remote: service.remoteId !== null }));
}
