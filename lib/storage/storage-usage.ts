import { statfs } from 'node:fs/promises';
import type { Database } from '../../prisma/database';

export interface StorageUsage {
  studies: number;
  series: number;
  instances: number;
  /** Sum of the stored files' sizes, from the index (no disk walk) */
  bytes: number;
  /** Whole data directory's file system, shared by every facility of the node */
  disk: { freeBytes: number; totalBytes: number } | null;
}

/** What a facility keeps in the archive, from the index, and the free space where it lives. Access checked by the caller. */
export async function storageUsage(db: Database, facilityId: string, dataDir: string): Promise<StorageUsage> {
  const [studies, series, instances, disk] = await Promise.all([
    db.study.count({ where: { facilityId } }),
    db.series.count({ where: { study: { facilityId } } }),
    db.instance.aggregate({ where: { series: { study: { facilityId } } }, _count: { _all: true }, _sum: { size: true } }),
    statfs(dataDir).then(
      (stats) => ({ freeBytes: stats.bavail * stats.bsize, totalBytes: stats.blocks * stats.bsize }),
      () => null,
    ),
  ]);
  return { studies, series, instances: instances._count._all, bytes: Number(instances._sum.size ?? 0), disk };
}
