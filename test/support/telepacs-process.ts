// A Telepacs node in its own process (the headless archive the benches
// start, bench/support/telepacs-node.ts), for tests that read the server's
// own memory: its peak RSS (VmHWM), reset through /proc/<pid>/clear_refs.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { killOnExit, stopProcess } from './dcmtk';
import { createScratchDatabaseUrl } from './test-database';

export const MIB = 1024 * 1024;

export interface TelepacsProcess {
  child: ChildProcess;
  dataDir: string;
  dicomwebUrl: string;
  dicomPort: number;
  /** Resets the peak RSS to the current RSS; the current RSS */
  resetPeak(): number;
  memory(): { rss: number; peak: number };
  stop(): Promise<void>;
}

/** Starts bench/support/telepacs-node.ts with this environment and waits for its ready line. */
export async function spawnTelepacsNode(env: Record<string, string>): Promise<{ child: ChildProcess; ready: { dicomwebUrl: string; dicomPort: number; hl7Port?: number } }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/support/telepacs-node.ts'], {
    env: { ...process.env, PORT: '0', DICOM_PORT: '0', ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  try {
    const firstLine = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`the server exited (${code}) before it was ready`)));
    });
    return { child, ready: JSON.parse(firstLine) as { dicomwebUrl: string; dicomPort: number; hl7Port?: number } };
  } catch (error) {
    await stopProcess(child);
    throw error;
  }
}

export async function startTelepacsProcess(options: { prefix: string; env: Record<string, string> }): Promise<TelepacsProcess> {
  const dataDir = mkdtempSync(path.join(tmpdir(), options.prefix));
  const scratch = await createScratchDatabaseUrl(dataDir);
  const cleanup = async () => {
    await scratch.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  let started: Awaited<ReturnType<typeof spawnTelepacsNode>>;
  try {
    started = await spawnTelepacsNode({ DATA_DIR: dataDir, ...(scratch.databaseUrl ? { DATABASE_URL: scratch.databaseUrl } : {}), ...options.env });
  } catch (error) {
    await cleanup();
    throw error;
  }
  const { child, ready } = started;
  const removeGuard = killOnExit(child);
  const stop = async () => {
    await stopProcess(child);
    removeGuard();
    await cleanup();
  };
  const memory = () => memoryOf(child.pid!);
  return {
    child,
    dataDir,
    dicomwebUrl: ready.dicomwebUrl,
    dicomPort: ready.dicomPort,
    memory,
    resetPeak() {
      writeFileSync(`/proc/${child.pid}/clear_refs`, '5'); // resets VmHWM to the current RSS
      return memory().rss;
    },
    stop,
  };
}

function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}
