// A real SMTP server for tests: Debian's python3-aiosmtpd (.ci/run installs
// it) with the handler in smtp_capture.py, which writes every accepted
// message, parsed, to a directory. Tests wait for messages by polling that
// directory (bounded), never by sleeping a fixed time.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const supportDir = path.dirname(fileURLToPath(import.meta.url));
// Debian's interpreter, where the python3-aiosmtpd package lives (a pyenv or venv python3 earlier on PATH lacks it)
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** Whether python3-aiosmtpd is installed (tests skip with a message outside CI when it is not). */
export function hasAiosmtpd(): boolean {
  return spawnSync(PYTHON, ['-c', 'import aiosmtpd'], { stdio: 'ignore' }).status === 0;
}

export interface ReceivedMail {
  /** The envelope: MAIL FROM and RCPT TO */
  mailFrom: string;
  rcptTos: string[];
  /** Decoded headers, in order */
  headers: [string, string][];
  /** The decoded text/plain and text/html bodies */
  text: string | null;
  html: string | null;
  /** The message as it came over the wire */
  raw: string;
}

export function header(mail: ReceivedMail, name: string): string | undefined {
  return mail.headers.find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
}

export interface SmtpServer {
  readonly port: number;
  /** smtp://127.0.0.1:<port> */
  readonly url: string;
  /** The messages received so far, oldest first */
  messages(): ReceivedMail[];
  /** Waits until at least `count` messages were received; throws after timeoutMs */
  waitForMessages(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  /** Starts listening (again, on the same port) */
  start(): Promise<void>;
  /** Stops listening; received messages stay readable */
  stop(): Promise<void>;
  /** Stops and removes the message directory */
  cleanup(): Promise<void>;
}

/** A port nobody listens on right now (the kernel's pick). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * An SMTP server on a free port of 127.0.0.1. `listening: false` reserves the
 * port without listening (a relay that is down) until start().
 */
export async function startSmtpServer(options: { listening?: boolean } = {}): Promise<SmtpServer> {
  const port = await freePort();
  const directory = mkdtempSync(path.join(tmpdir(), 'telepacs-smtp-'));
  let child: ChildProcess | undefined;
  let output = '';

  const messages = (): ReceivedMail[] =>
    readdirSync(directory)
      .filter((name) => name.endsWith('.json') && !name.startsWith('.'))
      .sort()
      .map((name) => JSON.parse(readFileSync(path.join(directory, name), 'utf8')) as ReceivedMail);

  async function start(): Promise<void> {
    if (child) return;
    output = '';
    const started = spawn(PYTHON, ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'smtp_capture.CaptureHandler', directory], {
      env: { ...process.env, PYTHONPATH: supportDir, PYTHONUNBUFFERED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    started.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    started.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let exited = false;
    started.once('exit', () => (exited = true));
    const deadline = Date.now() + 15_000;
    while (!(await accepts(port))) {
      if (exited) {
        child = undefined;
        throw new Error(`aiosmtpd stopped at start (is python3-aiosmtpd installed?):\n${output}`);
      }
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`aiosmtpd did not listen on 127.0.0.1:${port} within 15 s:\n${output}`);
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
    url: `smtp://127.0.0.1:${port}`,
    messages,
    async waitForMessages(count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const received = messages();
        if (received.length >= count) return received;
        if (Date.now() > deadline) throw new Error(`expected ${count} message(s) at the SMTP server, got ${received.length} in ${timeoutMs} ms:\n${output}`);
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
