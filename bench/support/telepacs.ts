// Starts Telepacs (headless archive, no Next portal) for a bench, in a child
// process with its own data directory and a fresh SQLite database.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { stopProcess } from './processes';

export interface RunningTelepacs {
  name: 'Telepacs';
  version: string;
  url: string;
  dicomwebUrl: string;
  /** The DIMSE SCP's port */
  dicomPort: number;
  headers: Record<string, string>;
  logFile: string;
  stop(): Promise<void>;
}

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ADMIN_EMAIL = 'bench@telepacs.local';
const ADMIN_PASSWORD = 'bench-password-not-secret';

/** Why Telepacs cannot run here, or undefined (the headless start lives in lib/server/start.ts). */
export function telepacsMissing(): string | undefined {
  return existsSync(path.join(projectRoot, 'lib/server/start.ts')) ? undefined : 'lib/server/start.ts (startTelepacs) is not in this tree yet';
}

export interface TelepacsNodeOptions {
  /** More environment for the node (DICOM_PEERS, DATABASE_URL...), over the bench defaults */
  env?: Record<string, string>;
  /** Extra Node options for the server process, e.g. ['--cpu-prof', '--cpu-prof-dir=...'] */
  nodeArgs?: readonly string[];
}

export async function startTelepacsNode(workDir: string, options: TelepacsNodeOptions = {}): Promise<RunningTelepacs> {
  mkdirSync(workDir, { recursive: true });
  const logFile = path.join(workDir, 'telepacs.log');
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', path.join(projectRoot, 'bench/support/telepacs-node.ts')], {
    cwd: projectRoot,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      TCP_NODELAY: '1',
      PORT: '0',
      DICOM_PORT: '0',
      DATA_DIR: path.join(workDir, 'data'),
      // A fresh SQLite database in DATA_DIR unless the caller chose otherwise.
      DATABASE_URL: process.env.BENCH_DATABASE_URL ?? '',
      ADMIN_EMAIL,
      ADMIN_PASSWORD,
      ...options.env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stderr.pipe(log);
  const stop = async () => {
    await stopProcess(child);
    log.end();
  };
  const lines = createInterface({ input: child.stdout });
  let startTimer: NodeJS.Timeout | undefined;
  try {
    const ready = await Promise.race([
      new Promise<{ url: string; dicomwebUrl: string; dicomPort: number }>((resolve, reject) => {
        lines.on('line', (line) => {
          log.write(`${line}\n`);
          if (line.startsWith('{"url"')) resolve(JSON.parse(line) as { url: string; dicomwebUrl: string; dicomPort: number });
        });
        child.once('exit', (code) => reject(new Error(`Telepacs exited with ${code} while starting`)));
      }),
      new Promise<never>((_, reject) => {
        startTimer = setTimeout(() => reject(new Error('Telepacs: not ready after 120 s')), 120_000);
      }),
    ]);
    clearTimeout(startTimer);
    const version = (JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
    return {
      name: 'Telepacs',
      version,
      url: ready.url,
      dicomwebUrl: ready.dicomwebUrl,
      dicomPort: ready.dicomPort,
      headers: { authorization: `Basic ${Buffer.from(`${ADMIN_EMAIL}:${ADMIN_PASSWORD}`).toString('base64')}` },
      logFile,
      stop,
    };
  } catch (error) {
    clearTimeout(startTimer);
    await stop();
    const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n') : '';
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- telepacs.log (tail)\n${tail}`);
  }
}
