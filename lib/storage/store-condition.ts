// How the image store is doing, for the administration's Storage page: where
// it is, whether it takes images now (the health probe, and the refusals for
// want of room since the last image stored: pacs-core/store/store-fullness.ts)
// and, for a file system, its free space. Access checked by the caller.
import { isArchiveError } from '../../pacs-core/errors';
import type { Archive } from '../../pacs-core/archive';
import { describeStoreLocation } from '../../pacs-core/store/open-blob-store';
import { isStoreFull } from '../../pacs-core/store/store-fullness';
import type { StorageConfig } from '../config/config';

export interface StoreCondition {
  /** A directory, or s3://bucket/prefix/ */
  location: string;
  /** ok: takes images; full: refuses them for want of room; failing: cannot be written (the message says why) */
  state: 'ok' | 'full' | 'failing';
  message?: string;
  /** Refusals for want of room since the last image stored, on this process */
  refused?: { since: Date; count: number };
  /** A file system's free and total bytes; null for S3 or when it cannot be read */
  space: { freeBytes: number; totalBytes: number } | null;
}

export async function storeCondition(archive: Pick<Archive, 'store' | 'storeFullness'>, storage: StorageConfig): Promise<StoreCondition> {
  const location = describeStoreLocation(storage);
  const space = archive.store.space ? await archive.store.space().catch(() => null) : null;
  const probe = await archive.store.check().then(
    () => undefined,
    (error: unknown) => error,
  );
  const refusal = archive.storeFullness.current;
  const refused = refusal ? { since: refusal.since, count: refusal.refused } : undefined;
  if (probe !== undefined && !isStoreFull(probe)) {
    return { location, state: 'failing', message: isArchiveError(probe) ? probe.message : String(probe), space, ...(refused ? { refused } : {}) };
  }
  if (probe !== undefined || refusal) {
    return { location, state: 'full', message: refusal?.message ?? (probe as Error).message, space, ...(refused ? { refused } : {}) };
  }
  return { location, state: 'ok', space };
}
