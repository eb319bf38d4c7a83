// A socket lives no longer than the session that opened it. Signing out and
// the revocations (a disabled account, a password reset, a guest let go)
// close it at once (disconnect-user.ts); an expiry has nobody to call, so
// each socket keeps one timer for its session's end and, when it fires,
// asks the database: a session kept alive meanwhile by page requests
// (sliding expiry) re-arms the timer, an ended one closes the socket.
import type { Socket } from 'socket.io';
import { sessionEnd } from '../auth';
import type { Runtime } from '../runtime';

// setTimeout's limit (~24.8 days); a later end is simply re-checked then.
const MAX_TIMER_MS = 2 ** 31 - 1;

export function closeWhenSessionEnds(runtime: Pick<Runtime, 'db' | 'logger'>, socket: Socket, sessionId: string, endsAt: Date): void {
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const arm = (at: Date) => {
    timer = setTimeout(() => void check(), Math.min(Math.max(at.getTime() - Date.now(), 0), MAX_TIMER_MS));
  };
  const check = async () => {
    timer = undefined;
    if (closed) return;
    try {
      const end = await sessionEnd(runtime.db, sessionId);
      if (closed) return;
      if (end) return arm(end);
      runtime.logger.info('socket closed: its session ended', { sessionId, peerId: socket.id, namespace: socket.nsp.name });
      socket.disconnect();
    } catch (error) {
      // The database is unavailable: try again shortly rather than keep a socket unchecked for good.
      runtime.logger.warn('session of a socket could not be checked', { sessionId, error: error instanceof Error ? error.message : String(error) });
      arm(new Date(Date.now() + 30_000));
    }
  };
  // Armed from the handshake middleware, before the socket counts as connected
  arm(endsAt);
  socket.once('disconnect', () => {
    closed = true;
    clearTimeout(timer);
  });
}
