// The S3 client and the storage URL of an S3BlobStore (issue 20: several
// processes share one object store). Works with AWS S3 and with S3-compatible
// servers (Ceph radosgw, MinIO) through `endpoint`.
import { S3Client } from '@aws-sdk/client-s3';

export interface S3ClientOptions {
  /** e.g. https://minio.example:9000; absent: AWS S3 of the region */
  endpoint?: string;
  /** absent: AWS_REGION / AWS_DEFAULT_REGION, else us-east-1 with an endpoint, else the SDK's profile chain */
  region?: string;
  /** buckets in the path (http://host/bucket/key) rather than the host name; default: true with an endpoint */
  forcePathStyle?: boolean;
  /** both or neither: without them the SDK's default chain (AWS_ACCESS_KEY_ID…, profiles, instance roles) */
  accessKeyId?: string;
  secretAccessKey?: string;
}

export function createS3Client(options: S3ClientOptions = {}): S3Client {
  const { endpoint, accessKeyId, secretAccessKey } = options;
  if (Boolean(accessKeyId) !== Boolean(secretAccessKey)) {
    throw new Error('S3 credentials: give both the access key id and the secret access key, or neither (then AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile or an instance role)');
  }
  if (endpoint !== undefined && !/^https?:\/\/[^/?#]+\/?$/.test(endpoint)) {
    throw new Error(`S3 endpoint "${endpoint}": expected http(s)://host[:port]`);
  }
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? (endpoint ? 'us-east-1' : undefined);
  return new S3Client({
    endpoint,
    region,
    forcePathStyle: options.forcePathStyle ?? Boolean(endpoint),
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
    // S3BlobStore sends a SHA-256 of every upload (part) itself, in a header.
    // WHEN_SUPPORTED would add a CRC32 to other requests and send stream
    // bodies as aws-chunked with a trailing checksum, which servers other than
    // AWS (older Ceph and MinIO, s3rver) do not all decode.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    // Checked where S3BlobStore asks (ChecksumMode on whole-object GETs), not
    // on ranged GETs: some servers answer those with the whole object's checksum.
    responseChecksumValidation: 'WHEN_REQUIRED',
    // A server that stops answering fails the request instead of holding it forever
    requestHandler: { connectionTimeout: 10_000, socketTimeout: 120_000 },
  });
}

export { parseStorageUrl, type StorageLocation } from './storage-url';
