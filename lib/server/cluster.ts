// TELEPACS_WORKERS (issue 20): `npm start` as one primary process and N
// workers behind one HTTP port and one DIMSE port (and the HL7 port), so that
// ingest and the portal use every core. Node's cluster module: the primary
// holds the listening sockets and hands each new connection to a worker in
// turn (round-robin), so a DICOM association or a WebSocket stays on the
// worker that accepted it; socket.io is told to try WebSocket first, and
// HTTP long-polling (a fallback of several requests) is kept on one worker by
// nothing here — behind a balancer, use its stickiness (deploy/haproxy.cfg).
//
// The primary serves nothing itself: it builds the portal and migrates the
// database once, starts the workers, prints the sign-in when all are ready,
// starts a new worker when one dies (kill -9, out of memory), and on SIGTERM
// stops them all. Everything the workers share lives in PostgreSQL, Redis and
// the store (docs/architecture.md, "Several processes").
import cluster, { type Worker } from 'node:cluster';
import type { Config } from '../config/config';
import type { Logger } from '../../pacs-core/logger';
import { createDatabase } from '../../prisma/database';
import { buildPortalIfNeeded } from './build-if-needed';
import { prepareDatabase, projectRoot, type RunningTelepacs } from './start';

export interface WorkerReady {
  type: 'telepacs.ready';
  url: string;
  dicomPort: number;
}

const RESTART_DELAY_MS = 500;
const MAX_RESTART_DELAY_MS = 30_000;
const EARLY_DEATH_MS = 30_000;

/** In a worker: tells the primary this worker serves */
export function reportReady(node: Pick<RunningTelepacs, 'url' | 'dicomPort'>): void {
  if (cluster.isWorker) process.send?.({ type: 'telepacs.ready', url: node.url, dicomPort: node.dicomPort } satisfies WorkerReady);
}

/** The primary: resolves with the first run's facts and the workers' address once every worker is ready. */
export async function runPrimary(config: Config, logger: Logger, options: { dev: boolean }): Promise<{ firstRun: RunningTelepacs['firstRun']; ready: WorkerReady; stop(): Promise<void> }> {
  if (!options.dev) await buildPortalIfNeeded(projectRoot, logger);
  const db = createDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const firstRun = await prepareDatabase(db, config, logger).finally(() => db.$disconnect());

  let stopping = false;
  // A worker that dies soon after its start (a bad disk, a database gone) is not restarted in a
  // tight loop: the delay doubles with each early death, up to 30 s
  let earlyDeaths = 0;
  const fork = (): Worker => {
    const worker = cluster.fork();
    const startedAt = Date.now();
    worker.on('exit', (code, signal) => {
      if (stopping) return;
      earlyDeaths = Date.now() - startedAt < EARLY_DEATH_MS ? earlyDeaths + 1 : 0;
      const delay = Math.min(RESTART_DELAY_MS * 2 ** earlyDeaths, MAX_RESTART_DELAY_MS);
      logger.error('a Telepacs worker stopped; starting another', { pid: worker.process.pid, code, signal, inMs: delay });
      // Not unref'd: with every worker gone this timer is what keeps the primary up
      setTimeout(() => {
        if (!stopping) fork();
      }, delay);
    });
    return worker;
  };
  const workers = Array.from({ length: config.workers }, fork);
  const ready = await new Promise<WorkerReady>((resolve, reject) => {
    let count = 0;
    for (const worker of workers) {
      worker.on('message', (message: WorkerReady) => {
        if (message?.type !== 'telepacs.ready') return;
        count += 1;
        if (count === workers.length) resolve(message);
      });
      worker.once('exit', (code) => {
        if (count < workers.length) reject(new Error(`a worker exited (code ${code}) before the node was up; its log says why`));
      });
    }
  });
  logger.info('telepacs workers ready', { workers: config.workers, pids: workers.map((worker) => worker.process.pid) });
  return {
    firstRun,
    ready,
    async stop() {
      stopping = true;
      const all = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => !!worker);
      await Promise.all(
        all.map(
          (worker) =>
            new Promise<void>((resolve) => {
              if (worker.isDead()) return resolve();
              worker.once('exit', () => resolve());
              worker.process.kill('SIGTERM');
            }),
        ),
      );
    },
  };
}
