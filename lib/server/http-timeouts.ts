// Slow clients on HTTP (issue 12: an authenticated slow STOW body stayed open
// 391 s). Node's own limits cover the headers (headersTimeout: a request
// whose headers are not complete within it gets 408 and the connection
// closes; also a connection that sends nothing) and idle keep-alive
// connections. A total request time (Node's requestTimeout) would cut a
// legitimate 4 GiB upload on a slow hospital link (57 min at 10 Mbit/s), so
// bodies get an inactivity limit instead: a body that sends no byte for
// bodyIdleTimeoutMs while the server waits for it is cut. While the server
// itself is not reading (ingesting a part, fsync: the request is paused by
// backpressure) the client is not blamed and the clock starts again.
import type { IncomingMessage, Server } from 'node:http';
import type { HttpTimeouts } from '../config/config';
import type { Logger } from '../../pacs-core/logger';

/** Node checks headersTimeout on this interval (default 30 s): a fraction of the timeout keeps it precise. */
export function connectionsCheckingIntervalFor(timeouts: HttpTimeouts): number {
  return Math.max(50, Math.min(30_000, Math.floor(timeouts.headersTimeoutMs / 4)));
}

export function applyHttpTimeouts(server: Server, timeouts: HttpTimeouts, logger: Logger): void {
  server.headersTimeout = timeouts.headersTimeoutMs;
  server.requestTimeout = 0; // no total: see above
  server.keepAliveTimeout = timeouts.keepAliveTimeoutMs;
  server.on('request', (req: IncomingMessage) => watchBodyIdle(req, timeouts.bodyIdleTimeoutMs, logger));
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function watchBodyIdle(req: IncomingMessage, idleMs: number, logger: Logger): void {
  if (!hasBody(req) || req.complete) return;
  const socket = req.socket;
  const stop = () => {
    req.off('timeout', onIdle);
    // Responses (a long retrieve) have no inactivity limit of ours; keep-alive takes over after them
    if (!socket.destroyed) socket.setTimeout(0);
  };
  const onIdle = () => {
    if (req.complete) return stop();
    // Data waiting in our buffer, or the socket paused by backpressure: we are the slow side
    if (req.readableLength > 0 || socket.isPaused()) {
      socket.setTimeout(idleMs);
      return;
    }
    stop();
    logger.warn('request body idle: connection closed', {
      method: req.method,
      path: (req.url ?? '').split('?')[0],
      idleSeconds: idleMs / 1000,
      remoteAddress: socket.remoteAddress,
    });
    socket.destroy();
  };
  // Node's server emits 'timeout' on an unfinished request first; with a listener it leaves the socket to us
  req.on('timeout', onIdle);
  socket.setTimeout(idleMs);
  req.once('end', stop);
  req.once('close', stop);
}
