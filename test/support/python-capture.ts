// A small Python server from Debian's packages that writes what it receives, as JSON
// files, to a directory — the SMTP relay (python3-aiosmtpd, smtp-server.ts) and the
// RIS's MLLP endpoint (python3-hl7, ris-listener.ts) of the tests. Started on a free
// port of 127.0.0.1 (or only reserved, for a peer that is down, until start()); tests
// wait for what it received by polling the directory (bounded), never by sleeping.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { acceptsConnections, freePort } from './dcmtk';

export const supportDir = path.dirname(fileURLToPath(import.meta.url));
// Debian's interpreter, where the python3-* packages live (a pyenv or venv python3 earlier on PATH lacks them)
export const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

export interface CaptureOptions {
  /** The server in messages: "aiosmtpd", "the MLLP listener" */
  name: string;
  /** Where it records: "at the SMTP server" */
  where: string;
  /** The Debian package, for the message when it cannot start */
  debianPackage: string;
  directoryPrefix: string;
  /** The Python command line (after the interpreter) and extra environment, for a port and a directory */
  command(port: number, directory: string): { args: string[]; env?: Record<string, string> };
  waitTimeoutMs: number;
  /** false: the port is reserved, nothing listens until start() */
  listening?: boolean;
}

export interface CaptureServer<Received> {
  readonly port: number;
  readonly directory: string;
  /** What was received so far, oldest first */
  messages(): Received[];
  /** Waits until at least `count` were received; throws after timeoutMs */
  waitForMessages(count: number, timeoutMs?: number): Promise<Received[]>;
  /** Starts listening (again, on the same port) */
  start(): Promise<void>;
  /** Stops listening; what was received stays readable */
  stop(): Promise<void>;
  /** Stops and removes the directory */
  cleanup(): Promise<void>;
}

export async function startPythonCapture<Received>(options: CaptureOptions): Promise<CaptureServer<Received>> {
  const port = await freePort();
  const directory = mkdtempSync(path.join(tmpdir(), options.directoryPrefix));
  let child: ChildProcess | undefined;
  let output = '';

  const messages = (): Received[] =>
    readdirSync(directory)
      .filter((name) => name.endsWith('.json') && !name.startsWith('.'))
      .sort()
      .map((name) => JSON.parse(readFileSync(path.join(directory, name), 'utf8')) as Received);

  async function start(): Promise<void> {
    if (child) return;
    output = '';
    const { args, env } = options.command(port, directory);
    const started = spawn(PYTHON, args, { env: { ...process.env, PYTHONUNBUFFERED: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    started.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    started.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let exited = false;
    started.once('exit', () => (exited = true));
    const deadline = Date.now() + 15_000;
    while (!(await acceptsConnections(port))) {
      if (exited) {
        child = undefined;
        throw new Error(`${options.name} stopped at start (is ${options.debianPackage} installed?):\n${output}`);
      }
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`${options.name} did not listen on 127.0.0.1:${port} within 15 s:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function stop(): Promise<void> {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  if (options.listening !== false) await start();

  return {
    port,
    directory,
    messages,
    async waitForMessages(count, timeoutMs = options.waitTimeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const received = messages();
        if (received.length >= count) return received;
        if (Date.now() > deadline) throw new Error(`expected ${count} message(s) ${options.where}, got ${received.length} in ${timeoutMs} ms:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    start,
    stop,
    async cleanup() {
      await stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
