// A throw-away one-node Ceph cluster with radosgw (deploy/ceph-single-node.sh),
// a real S3-compatible server for the S3 store's tests, on free ports in a
// directory of its own. Needs Debian's ceph-mon, ceph-osd, ceph-mgr, radosgw.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './dcmtk';

const run = promisify(execFile);
const script = path.join(import.meta.dirname, '..', '..', 'deploy', 'ceph-single-node.sh');

/** A program on the PATH (the tests that need a Debian package skip without it, except under CI) */
export function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

export interface CephS3 {
  /** What a Telepacs process needs: STORAGE_URL, S3_ENDPOINT, S3_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY */
  env: Record<string, string>;
  endpoint: string;
  bucket: string;
  stop(): Promise<void>;
}

export async function startCeph(prefix = 'telepacs'): Promise<CephS3> {
  const dir = mkdtempSync(path.join(tmpdir(), 'telepacs-ceph-'));
  const env = {
    ...process.env,
    CEPH_DIR: path.join(dir, 'cluster'),
    CEPH_MON_V2_PORT: String(await freePort()),
    CEPH_MON_V1_PORT: String(await freePort()),
    RGW_PORT: String(await freePort()),
  };
  const stop = async () => {
    await run(script, ['stop'], { env }).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const { stdout } = await run(script, ['start'], { env, timeout: 180_000 });
    const lines = Object.fromEntries(stdout.split('\n').filter((line) => line.includes('=')).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
    return {
      env: {
        STORAGE_URL: `s3://${lines.S3_BUCKET}/${prefix}`,
        S3_ENDPOINT: lines.S3_ENDPOINT,
        S3_REGION: lines.S3_REGION,
        AWS_ACCESS_KEY_ID: lines.S3_ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY: lines.S3_SECRET_KEY,
      },
      endpoint: lines.S3_ENDPOINT,
      bucket: lines.S3_BUCKET,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
