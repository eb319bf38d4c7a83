// One Telepacs node as several processes (issue 20): the same PostgreSQL
// database, DATA_DIR, store and Redis, each process on ports of its own (a
// balancer goes in front: haproxy.ts). Headless processes (no portal): the
// drills exercise the archive, the sockets and the live state.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDatabase, type Database } from '../../prisma/database';
import { killOnExit, stopProcess } from './dcmtk';
import { basicAuthHeader } from './dicomweb-client';
import { spawnTelepacsNode } from './telepacs-process';
import { createScratchDatabaseUrl } from './test-database';

export const CLUSTER_ADMIN_EMAIL = 'admin@cluster.test';
export const CLUSTER_ADMIN_PASSWORD = 'correct horse battery staple';

export interface ClusterProcess {
  url: string;
  httpPort: number;
  dicomPort: number;
  /** The MLLP port, when the cluster was started with HL7_PORT=0 */
  hl7Port: number | undefined;
  child: ChildProcess;
  /** kill -9 */
  kill(): Promise<void>;
}

export interface ProcessCluster {
  processes: ClusterProcess[];
  dataDir: string;
  db: Database;
  adminAuthorization: string;
  stop(): Promise<void>;
}

export async function startProcessCluster(options: { processes: number; redisUrl: string; env?: Record<string, string> }): Promise<ProcessCluster> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'telepacs-cluster-'));
  const scratch = await createScratchDatabaseUrl(dataDir, 'postgres');
  const processes: ClusterProcess[] = [];
  const guards: (() => void)[] = [];
  const stop = async () => {
    await Promise.all(processes.map((entry) => stopProcess(entry.child)));
    guards.forEach((remove) => remove());
    await db.$disconnect();
    await scratch.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  const db = createDatabase({ databaseUrl: scratch.databaseUrl, dataDir });
  try {
    // All at once, as containers after an upgrade: they take turns for the first run's defaults
    // (lib/server/start.ts, prepareDatabase), so there is one demo facility and one administrator
    const started = await Promise.allSettled(
      Array.from({ length: options.processes }, () =>
        spawnTelepacsNode({
          DATA_DIR: dataDir,
          DATABASE_URL: scratch.databaseUrl!,
          REDIS_URL: options.redisUrl,
          ADMIN_EMAIL: CLUSTER_ADMIN_EMAIL,
          ADMIN_PASSWORD: CLUSTER_ADMIN_PASSWORD,
          ...options.env,
        }),
      ),
    );
    for (const result of started) {
      if (result.status === 'rejected') continue;
      const { child, ready } = result.value;
      guards.push(killOnExit(child));
      const url = new URL(ready.dicomwebUrl).origin;
      processes.push({
        url,
        httpPort: Number(new URL(url).port),
        dicomPort: ready.dicomPort,
        hl7Port: ready.hl7Port,
        child,
        async kill() {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGKILL');
          await exited;
        },
      });
    }
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  } catch (error) {
    await stop();
    throw error;
  }
  return { processes, dataDir, db, adminAuthorization: basicAuthHeader(CLUSTER_ADMIN_EMAIL, CLUSTER_ADMIN_PASSWORD), stop };
}
