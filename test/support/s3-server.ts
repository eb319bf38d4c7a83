// A real S3 server for tests: s3rver (a devDependency, in this process) on a
// free port of 127.0.0.1, its data in a temp directory, with a fresh bucket.
// It accepts any credentials (it does not verify SigV4 signatures); dummy
// ones are passed explicitly so that the SDK never looks for real ones.
import type { S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createS3Client } from '../../pacs-core/store/s3-config';

/** The part of s3rver 3.7 used here (it ships no types). */
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer?: Server;
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets: { name: string }[];
}) => S3rverInstance;

const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;

export interface S3TestServer {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  bucket: string;
  /** A client of this server (path-style, dummy credentials); destroyed by stop() */
  client: S3Client;
  /** Stops the server (open connections are cut), destroys the client and removes the data. Safe more than once. */
  stop(): Promise<void>;
}

export async function startS3Server(): Promise<S3TestServer> {
  const directory = mkdtempSync(path.join(tmpdir(), 'telepacs-s3-'));
  const bucket = `telepacs-test-${randomBytes(4).toString('hex')}`;
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  let address: AddressInfo;
  try {
    address = await server.run();
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
  const endpoint = `http://127.0.0.1:${address.port}`;
  const client = createS3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      client.destroy();
      const closed = server.close();
      server.httpServer?.closeAllConnections();
      await closed;
      rmSync(directory, { recursive: true, force: true });
    })());
  return { endpoint, bucket, client, stop };
}
