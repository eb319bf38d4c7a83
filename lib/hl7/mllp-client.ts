// Sending one HL7 message over MLLP and reading its acknowledgment: connect
// (bounded), write one frame, wait (bounded) for the first complete frame the
// other side answers, close. The framer is the listener's (mllp-framer.ts), so
// an ACK split across packets, padded with NULs or followed by more frames is
// read the same way. What the ACK says is the caller's to judge.
import net from 'node:net';
import { frame, MllpFramer } from './mllp-framer';

export interface MllpSendOptions {
  host: string;
  port: number;
  /** The message, segments separated by \r; sent as UTF-8 */
  message: string;
  connectTimeoutMs?: number;
  /** From the end of the write to the ACK's last byte */
  ackTimeoutMs?: number;
  /** An answer larger than this is not an ACK */
  maxAckBytes?: number;
}

export class MllpSendError extends Error {
  override readonly name = 'MllpSendError';
}

/** Resolves with the acknowledgment's bytes; rejects with an MllpSendError saying what happened on the wire. */
export function sendMllpMessage(options: MllpSendOptions): Promise<Buffer> {
  const { host, port } = options;
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const ackTimeoutMs = options.ackTimeoutMs ?? 30_000;
  const where = `${host}:${port}`;
  return new Promise<Buffer>((resolve, reject) => {
    const framer = new MllpFramer(options.maxAckBytes ?? 1024 * 1024);
    const socket = net.connect({ host, port });
    let settled = false;
    const finish = (error: Error | null, ack?: Buffer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(ack!);
    };
    let timer = setTimeout(() => finish(new MllpSendError(`could not connect to ${where} within ${connectTimeoutMs / 1000} s`)), connectTimeoutMs);
    socket.setNoDelay(true);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.write(frame(options.message), () => {
        clearTimeout(timer);
        timer = setTimeout(() => finish(new MllpSendError(`no acknowledgment from ${where} within ${ackTimeoutMs / 1000} s`)), ackTimeoutMs);
      });
    });
    socket.on('data', (data) => {
      for (const event of framer.push(data)) {
        if (event.kind === 'message') return finish(null, event.bytes);
        if (event.kind === 'too-large') return finish(new MllpSendError(`the answer of ${where} is larger than an acknowledgment (${event.bytes} bytes)`));
      }
    });
    socket.once('error', (error: Error) => finish(new MllpSendError(`${where}: ${error.message}`)));
    socket.once('close', () => finish(new MllpSendError(`${where} closed the connection before acknowledging`)));
  });
}
