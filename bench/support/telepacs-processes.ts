// One Telepacs node as N processes for the scale-out benches (issue 20): the
// headless archive (bench/support/telepacs-node.ts: startTelepacs without the
// portal, each process on ports of its own) sharing one new PostgreSQL
// database, one DATA_DIR (store, secrets) and one Redis, as README "Running
// several processes" describes; started all at once (they take turns for the
// migrations and first-run defaults). stop() stops them and drops the database,
// also when the start fails.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { killOnExit, stopProcess } from '../../test/support/dcmtk';

export const BENCH_ADMIN_EMAIL = 'bench@telepacs.local';
export const BENCH_ADMIN_PASSWORD = 'bench-password-not-secret';
export const POSTGRES_ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface TelepacsProcessHandle {
  /** http://127.0.0.1:<its own port> */
  url: string;
  dicomwebUrl: string;
  httpPort: number;
  pid: number | undefined;
  logFile: string;
}

export interface TelepacsProcesses {
  processes: TelepacsProcessHandle[];
  databaseUrl: string;
  dataDir: string;
  version: string;
  /** HTTP Basic of the bench administrator (ADMIN_EMAIL/ADMIN_PASSWORD of the first run) */
  headers: Record<string, string>;
  stop(): Promise<void>;
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface StartTelepacsProcessesOptions {
  count: number;
  /** Logs and DATA_DIR go under it */
  workDir: string;
  /** Unset: no REDIS_URL (one process only: live sessions and socket.io in memory) */
  redisUrl?: string;
  /** More environment for every process (PUBLIC_URL, TRUST_PROXY...) */
  env?: Record<string, string>;
}

export async function startTelepacsProcesses(options: StartTelepacsProcessesOptions): Promise<TelepacsProcesses> {
  mkdirSync(options.workDir, { recursive: true });
  const dataDir = path.join(options.workDir, 'data');
  const name = `telepacs_bench_${Date.now()}_${randomBytes(3).toString('hex')}`;
  await adminQuery(`CREATE DATABASE "${name}"`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const children: { child: ChildProcess; unguard: () => void; log: NodeJS.WritableStream }[] = [];
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      await Promise.all(children.map(({ child }) => stopProcess(child, 30_000)));
      for (const { unguard, log } of children) {
        unguard();
        log.end();
      }
      await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch((error: unknown) =>
        console.error(`dropping ${name}: ${error instanceof Error ? error.message : String(error)}`),
      );
    })();
    return stopped;
  };

  const inherited = { ...process.env };
  delete inherited.REDIS_URL;
  const startOne = async (index: number): Promise<TelepacsProcessHandle> => {
    const logFile = path.join(options.workDir, `telepacs-${index + 1}.log`);
    const log = createWriteStream(logFile);
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'bench/support/telepacs-node.ts')], {
      cwd: projectRoot,
      env: {
        ...inherited,
        NODE_ENV: 'production',
        TCP_NODELAY: '1',
        PORT: '0',
        DICOM_PORT: '0',
        DATA_DIR: dataDir,
        DATABASE_URL: databaseUrl,
        ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
        ADMIN_EMAIL: BENCH_ADMIN_EMAIL,
        ADMIN_PASSWORD: BENCH_ADMIN_PASSWORD,
        ...options.env,
      },
      // stdin open: telepacs-node.ts stops when it closes (the bench died)
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.push({ child, unguard: killOnExit(child), log });
    child.stderr?.pipe(log, { end: false });
    const lines = createInterface({ input: child.stdout! });
    let timer: NodeJS.Timeout | undefined;
    try {
      const ready = await Promise.race([
        new Promise<{ url: string; dicomwebUrl: string }>((resolve, reject) => {
          lines.on('line', (line) => {
            log.write(`${line}\n`);
            if (line.startsWith('{"url"')) resolve(JSON.parse(line) as { url: string; dicomwebUrl: string });
          });
          child.once('exit', (code, signal) => reject(new Error(`Telepacs process ${index + 1} exited with ${code ?? signal} while starting`)));
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`Telepacs process ${index + 1}: not ready after 180 s`)), 180_000);
        }),
      ]);
      const origin = new URL(ready.url).origin;
      return { url: origin, dicomwebUrl: ready.dicomwebUrl, httpPort: Number(new URL(origin).port), pid: child.pid, logFile };
    } catch (error) {
      const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n') : '';
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- ${path.basename(logFile)} (tail)\n${tail}`);
    } finally {
      clearTimeout(timer);
    }
  };

  try {
    const processes = await Promise.all(Array.from({ length: options.count }, (_, index) => startOne(index)));
    const version = (JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
    return {
      processes,
      databaseUrl,
      dataDir,
      version,
      headers: { authorization: `Basic ${Buffer.from(`${BENCH_ADMIN_EMAIL}:${BENCH_ADMIN_PASSWORD}`).toString('base64')}` },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** CPU seconds (user + system) used so far by these processes, from /proc (for the notes beside a figure). */
export function cpuSecondsOf(pids: readonly (number | undefined)[]): number {
  let ticks = 0;
  for (const pid of pids) {
    if (pid === undefined) continue;
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone
    }
  }
  return ticks / 100;
}
