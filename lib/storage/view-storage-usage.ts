// What a facility stores and how full the disk is, for its administrators
// only (NOT_FOUND for anyone else).
import type { AdminActor, AdminContext } from '../admin/context';
import { authorizeAdminArea } from '../policy';
import { storageUsage, type StorageUsage } from './storage-usage';

export async function viewStorageUsage(context: Pick<AdminContext, 'db' | 'config'>, actor: Pick<AdminActor, 'userId'>, facilityId: string): Promise<StorageUsage> {
  await authorizeAdminArea(context.db, actor.userId, facilityId);
  return storageUsage(context.db, facilityId, context.config.dataDir);
}
