// The MLLP listener on HL7_PORT: one framer per connection, the messages of a
// connection handled one after another (HL7 order matters: an A08 must not
// overtake its A01), each answered with the frames the handler returns.
import net from 'node:net';
import type { Logger } from '../../pacs-core/logger';
import { frame, MllpFramer, DEFAULT_MAX_MESSAGE_BYTES } from './mllp-framer';

export interface MllpPeer {
  remoteAddress: string;
}

export interface MllpServerOptions {
  port: number;
  host?: string;
  logger: Logger;
  maxMessageBytes?: number;
  /** A connection that sends nothing for this long is closed (interface engines reconnect) */
  idleTimeoutMs?: number;
  /** One complete message → the frames to answer, in order (an ACK; in enhanced mode CA then AA) */
  onMessage(bytes: Buffer, peer: MllpPeer): Promise<string[]>;
  /** A message over the size limit: its first bytes → the refusal to answer */
  onTooLarge(head: Buffer, bytes: number, peer: MllpPeer): Promise<string[]>;
}

export interface MllpServer {
  port: number;
  readonly openConnections: number;
  close(): Promise<void>;
}

export async function startMllpServer(options: MllpServerOptions): Promise<MllpServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.setTimeout(options.idleTimeoutMs ?? 10 * 60_000, () => socket.end());
    const peer: MllpPeer = { remoteAddress: socket.remoteAddress ?? '' };
    const framer = new MllpFramer(options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES);
    let queue = Promise.resolve();
    const answer = (frames: string[]) => {
      for (const text of frames) if (!socket.destroyed) socket.write(frame(text));
    };
    socket.on('data', (data) => {
      for (const event of framer.push(data)) {
        if (event.kind === 'garbage') {
          options.logger.warn('MLLP: bytes outside a frame skipped', { remoteAddress: peer.remoteAddress, bytes: event.bytes });
          continue;
        }
        queue = queue.then(async () => {
          try {
            answer(event.kind === 'message' ? await options.onMessage(event.bytes, peer) : await options.onTooLarge(event.head, event.bytes, peer));
          } catch (error) {
            // The handler answers every message itself; reaching here is a bug: say so and close, never answer AA
            options.logger.error('MLLP: a message could not be handled', { remoteAddress: peer.remoteAddress, error: error instanceof Error ? error.stack : String(error) });
            socket.destroy();
          }
        });
      }
    });
    socket.on('error', (error) => options.logger.warn('MLLP connection error', { remoteAddress: peer.remoteAddress, error: error.message }));
    socket.on('close', () => {
      sockets.delete(socket);
      if (framer.pendingBytes > 0) options.logger.warn('MLLP: a connection closed in the middle of a message', { remoteAddress: peer.remoteAddress, bytes: framer.pendingBytes });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as net.AddressInfo).port;
  options.logger.info('HL7 MLLP listener started', { port });
  return {
    port,
    get openConnections() {
      return sockets.size;
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}
