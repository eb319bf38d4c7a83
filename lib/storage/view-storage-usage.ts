// What a facility stores, how full the disk is and how the image store is
// doing, for its administrators only (NOT_FOUND for anyone else).
import type { Archive } from '../../pacs-core/archive';
import type { AdminActor, AdminContext } from '../admin/context';
import { authorizeAdminArea } from '../policy';
import { storeCondition, type StoreCondition } from './store-condition';
import { storageUsage, type StorageUsage } from './storage-usage';

export type StorageView = StorageUsage & { store: StoreCondition };

export async function viewStorageUsage(
  context: Pick<AdminContext, 'db' | 'config'> & { archive: Pick<Archive, 'store' | 'storeFullness'> },
  actor: Pick<AdminActor, 'userId'>,
  facilityId: string,
): Promise<StorageView> {
  await authorizeAdminArea(context.db, actor.userId, facilityId);
  const [usage, store] = await Promise.all([storageUsage(context.db, facilityId, context.config.dataDir), storeCondition(context.archive, context.config.storage)]);
  return { ...usage, store };
}
