// What to do with a request body the handler did not read to its end (a 401,
// a 413 for an upload over the limit, a body error): reading it all would let
// anyone make the server swallow gigabytes, and closing at once with unread
// bytes makes the kernel reset the connection, so the client may never see
// the answer. Like nginx's lingering close: a small body is drained and the
// connection kept; a larger or unknown one gets `Connection: close`, and at
// most DRAIN_BYTES or DRAIN_MS more of it is read before the socket closes.
import type { IncomingMessage, ServerResponse } from 'node:http';

const DRAIN_BYTES = 1024 * 1024;
const DRAIN_MS = 2000;

export function settleUnreadBody(req: IncomingMessage, res: ServerResponse): void {
  if (req.complete || req.readableEnded || req.destroyed) return;
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared <= DRAIN_BYTES) {
    req.resume();
    return;
  }
  if (!res.headersSent) res.setHeader('connection', 'close');
  // After node's own end-of-response handling, which would drain the body without a bound
  res.once('finish', () => {
    let drained = 0;
    const close = () => req.socket.destroy();
    const timer = setTimeout(close, DRAIN_MS);
    timer.unref();
    req.removeAllListeners('data');
    req.on('data', (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > DRAIN_BYTES) close();
    });
    req.once('close', () => clearTimeout(timer));
    req.resume();
  });
  res.once('close', () => {
    if (!req.complete) setTimeout(() => req.socket.destroy(), DRAIN_MS).unref();
  });
}
