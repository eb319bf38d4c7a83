// The archive's store as configured (lib/config StorageConfig, issue 20): a
// directory (this machine's DATA_DIR, or a shared one) or an S3 bucket.
import path from 'node:path';
import type { BlobStore } from './blob-store';
import { FsBlobStore } from './fs-blob-store';

export type StoreLocation =
  | { kind: 'file'; path: string }
  | { kind: 's3'; bucket: string; prefix: string; endpoint: string | undefined; region: string | undefined };

/**
 * `dataDir`: this process's local directory, where an S3 store spools incoming files until their
 * upload. The AWS SDK is loaded only for an S3 store (a few hundred ms per process otherwise).
 */
export async function openBlobStore(location: StoreLocation, dataDir: string): Promise<BlobStore> {
  if (location.kind === 'file') return new FsBlobStore(location.path);
  const [{ S3BlobStore }, { createS3Client }] = await Promise.all([import('./s3-blob-store'), import('./s3-config')]);
  return new S3BlobStore({
    client: createS3Client({ endpoint: location.endpoint, region: location.region }),
    bucket: location.bucket,
    prefix: location.prefix,
    spoolDir: path.join(dataDir, 'spool'),
  });
}

/** For the log and the admin's health page: where the files are, without credentials. */
export function describeStoreLocation(location: StoreLocation): string {
  return location.kind === 'file' ? location.path : `s3://${location.bucket}/${location.prefix}`;
}
