// A RIS's MLLP endpoint for tests: python3-hl7's asyncio MLLP server
// (mllp_ris.py, Debian's python3-hl7) on a free port of 127.0.0.1. It writes
// every message it receives, parsed by python-hl7, to a directory; tests wait
// for messages by polling it (bounded), never by sleeping. What it answers
// (AA, AE with a text, nothing) is set with answer().
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PYTHON, startPythonCapture, supportDir, type CaptureServer } from './python-capture';

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

export interface RisListener extends CaptureServer<RisMessage> {
  /** What it answers from now on: 'AA', 'AE <text>', 'AR <text>', 'NONE' */
  answer(mode: string): void;
}

/** `listening: false` reserves a port without listening (a RIS that is down) until start(). */
export async function startRisListener(options: { listening?: boolean } = {}): Promise<RisListener> {
  const server = await startPythonCapture<RisMessage>({
    name: 'the MLLP listener',
    where: 'at the RIS',
    debianPackage: 'python3-hl7',
    directoryPrefix: 'telepacs-ris-',
    command: (port, directory) => ({ args: [path.join(supportDir, 'mllp_ris.py'), String(port), directory] }),
    waitTimeoutMs: 20_000,
    listening: options.listening,
  });
  return Object.assign(server, {
    answer(mode: string) {
      writeFileSync(path.join(server.directory, 'answer'), mode, 'utf8');
    },
  });
}
