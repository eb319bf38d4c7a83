// A facility's DICOM peers as its administration page and API list them
// (DICOM_PEERS ones too, for the home facility). Administrators of that
// facility only (NOT_FOUND for anyone else).
import type { AdminActor, AdminContext } from '../admin/context';
import { authorizeAdminArea } from '../policy';
import { listDicomPeers, type ListedDicomPeer } from './list-dicom-peers';

export async function viewDicomPeers(context: Pick<AdminContext, 'db' | 'config'>, actor: Pick<AdminActor, 'userId'>, facilityId: string): Promise<ListedDicomPeer[]> {
  await authorizeAdminArea(context.db, actor.userId, facilityId);
  return listDicomPeers(context.db, context.config.dicomPeers, facilityId);
}
