// STORAGE_URL as the configuration reads it (lib/config): no S3 client here, so
// that reading the configuration does not load the AWS SDK (a process on local
// files never does: open-blob-store.ts imports the S3 store only for s3://).
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';

export type StorageLocation = { kind: 's3'; bucket: string; prefix: string } | { kind: 'file'; path: string };

/** S3 bucket names: 3 to 63 of a-z 0-9 . -, starting and ending with a letter or digit */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** Prefix segments: the blob keys' characters */
const SEGMENT = /^[A-Za-z0-9._-]+$/;

/** `s3://bucket/some/prefix` or `file:///absolute/path`. */
export function parseStorageUrl(url: string): StorageLocation {
  const shown = url.replace(/\/\/[^/@]*@/, '//…@'); // never repeat credentials
  if (/^s3:/i.test(url)) {
    const match = /^s3:\/\/([^/?#]*)(\/[^?#]*)?$/i.exec(url);
    if (!match) throw new Error(`storage URL "${shown}": expected s3://bucket/optional/prefix, without query or fragment`);
    const [, bucket, rest = ''] = match;
    if (bucket.includes('@')) throw new Error(`storage URL "${shown}": credentials do not belong in the URL; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`);
    if (!BUCKET.test(bucket) || bucket.includes('..')) {
      throw new Error(`storage URL "${shown}": "${bucket}" is not a valid bucket name (3 to 63 lower-case letters, digits, dots and hyphens)`);
    }
    const prefix = rest.replace(/^\//, '').replace(/\/$/, '');
    if (prefix !== '' && prefix.split('/').some((part) => !SEGMENT.test(part) || part === '.' || part === '..')) {
      throw new Error(`storage URL "${shown}": the prefix "${prefix}" must be segments of A-Z a-z 0-9 . _ - separated by single slashes, without . or ..`);
    }
    return { kind: 's3', bucket, prefix };
  }
  if (/^file:/i.test(url)) {
    let file: string;
    try {
      file = fileURLToPath(url);
    } catch (error) {
      throw new Error(`storage URL "${shown}": expected file:///absolute/path (${(error as Error).message})`);
    }
    if (!isAbsolute(file)) throw new Error(`storage URL "${shown}": expected file:///absolute/path`);
    return { kind: 'file', path: file };
  }
  throw new Error(`storage URL "${shown}": expected s3://bucket/prefix or file:///absolute/path`);
}
