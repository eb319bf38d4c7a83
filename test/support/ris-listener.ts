// A RIS's MLLP endpoint for tests: python3-hl7's asyncio MLLP server
// (mllp_ris.py, Debian's python3-hl7) on a free port of 127.0.0.1. It writes
// every message it receives, parsed by python-hl7, to a directory; tests wait
// for messages by polling it (bounded), never by sleeping. What it answers
// (AA, AE with a text, nothing) is set with answer().
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './smtp-server';

const supportDir = path.dirname(fileURLToPath(import.meta.url));
// Debian's interpreter, where python3-hl7 lives (a pyenv python3 earlier on PATH lacks it)
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

export function hasPythonHl7(): boolean {
  return spawnSync(PYTHON, ['-c', 'import hl7.mllp'], { stdio: 'ignore' }).status === 0;
}

export interface RisSegment {
  /** As sent (escaped); fields[0] is the segment's name; for MSH, fields[n] is MSH-n */
  fields: string[];
  /** Each field unescaped by python-hl7 */
  unescaped: string[];
}

export interface RisMessage {
  raw: string;
  segments: RisSegment[];
  /** What the RIS answered: AA, AE, AR, NONE */
  answered: string;
}

/** Segments of a name, in order */
export function segmentsOf(message: RisMessage, name: string): RisSegment[] {
  return message.segments.filter((segment) => segment.fields[0] === name);
}

/** Field n of the first such segment, as sent */
export function field(message: RisMessage, name: string, n: number): string {
  return segmentsOf(message, name)[0]?.fields[n] ?? '';
}

export interface RisListener {
  readonly port: number;
  messages(): RisMessage[];
  waitForMessages(count: number, timeoutMs?: number): Promise<RisMessage[]>;
  /** What it answers from now on: 'AA', 'AE <text>', 'AR <text>', 'NONE' */
  answer(mode: string): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  cleanup(): Promise<void>;
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

/** `listening: false` reserves a port without listening (a RIS that is down) until start(). */
export async function startRisListener(options: { listening?: boolean } = {}): Promise<RisListener> {
  const port = await freePort();
  const directory = mkdtempSync(path.join(tmpdir(), 'telepacs-ris-'));
  let child: ChildProcess | undefined;
  let output = '';

  const messages = (): RisMessage[] =>
    readdirSync(directory)
      .filter((name) => name.endsWith('.json') && !name.startsWith('.'))
      .sort()
      .map((name) => JSON.parse(readFileSync(path.join(directory, name), 'utf8')) as RisMessage);

  async function start(): Promise<void> {
    if (child) return;
    output = '';
    const started = spawn(PYTHON, [path.join(supportDir, 'mllp_ris.py'), String(port), directory], { env: { ...process.env, PYTHONUNBUFFERED: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    started.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    started.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let exited = false;
    started.once('exit', () => (exited = true));
    const deadline = Date.now() + 15_000;
    while (!(await accepts(port))) {
      if (exited) {
        child = undefined;
        throw new Error(`the MLLP listener stopped at start (is python3-hl7 installed?):\n${output}`);
      }
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`the MLLP listener did not listen on 127.0.0.1:${port} within 15 s:\n${output}`);
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
    messages,
    async waitForMessages(count, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const received = messages();
        if (received.length >= count) return received;
        if (Date.now() > deadline) throw new Error(`expected ${count} message(s) at the RIS, got ${received.length} in ${timeoutMs} ms:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    answer(mode) {
      writeFileSync(path.join(directory, 'answer'), mode, 'utf8');
    },
    start,
    stop,
    async cleanup() {
      await stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
