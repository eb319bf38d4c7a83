// HL7 v2 over MLLP from the tests: the real client Debian ships (python3-hl7's
// mllp_send, run by /usr/bin/python3) for ordinary sends, and a raw socket for
// what a client library would not do on purpose (split frames, several frames
// in one write, padding). ACKs are read with the product's own framer only
// after the bytes arrived, so a framing bug on our side shows as a wrong ACK.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { frame, MllpFramer } from '../../lib/hl7/mllp-framer';

const run = promisify(execFile);

/** Sends each message over one connection with `mllp_send`; answers the ACK text of each (segments split by \r). */
export async function mllpSend(port: number, messages: readonly string[]): Promise<string[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'telepacs-hl7-'));
  try {
    const file = path.join(dir, 'messages.hl7');
    // mllp_send reads MLLP-framed messages from a file and prints each answer as it came
    writeFileSync(file, Buffer.concat(messages.map((message) => frame(message))));
    const { stdout } = await run('mllp_send', ['-p', String(port), '-f', file, '127.0.0.1'], { encoding: 'buffer', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
    return acksIn(stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The ACK frames in some bytes, as text. */
export function acksIn(bytes: Buffer): string[] {
  return new MllpFramer()
    .push(bytes)
    .flatMap((event) => (event.kind === 'message' ? [event.bytes.toString('utf8')] : []));
}

/**
 * Writes the chunks one after another on one connection (each handed to the
 * kernel before the next, with Nagle off, so they leave as separate segments)
 * and collects ACK frames until `expected` have arrived.
 */
export async function rawMllp(port: number, chunks: readonly Buffer[], expected: number, timeoutMs = 30_000): Promise<string[]> {
  const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const framer = new MllpFramer();
  const acks: string[] = [];
  const done = new Promise<string[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${acks.length} of ${expected} ACKs within ${timeoutMs} ms: ${JSON.stringify(acks)}`)), timeoutMs);
    socket.on('data', (data) => {
      for (const event of framer.push(data)) if (event.kind === 'message') acks.push(event.bytes.toString('utf8'));
      if (acks.length >= expected) {
        clearTimeout(timer);
        resolve(acks);
      }
    });
    socket.on('error', reject);
  });
  for (const chunk of chunks) await new Promise<void>((resolve, reject) => socket.write(chunk, (error) => (error ? reject(error) : resolve())));
  try {
    return await done;
  } finally {
    socket.destroy();
  }
}

/** MSA-1 (the acknowledgment code) of an ACK. */
export function ackCode(ack: string): string {
  return segment(ack, 'MSA')?.[1] ?? '';
}

/** The fields of the first segment of that name. */
export function segment(message: string, name: string): string[] | undefined {
  return message
    .split('\r')
    .find((line) => line.startsWith(`${name}|`))
    ?.split('|');
}

let counter = 0;

/** An MSH line: sender RIS^HOSP by default, a fresh control ID. */
export function msh(type: string, options: { app?: string; facility?: string; version?: string; controlId?: string; acceptAck?: string; appAck?: string } = {}): { line: string; controlId: string } {
  counter += 1;
  const controlId = options.controlId ?? `T${Date.now()}${counter}`;
  const ackFields = options.acceptAck || options.appAck ? `|||${options.acceptAck ?? ''}|${options.appAck ?? ''}` : '';
  return {
    controlId,
    line: `MSH|^~\\&|${options.app ?? 'RIS'}|${options.facility ?? 'HOSP'}|TELEPACS|HOSP|20261207080000||${type}|${controlId}|P|${options.version ?? '2.5.1'}${ackFields}`,
  };
}

/** A message from segments (each without its \r). */
export function hl7(...segments: string[]): string {
  return `${segments.join('\r')}\r`;
}
