// Ends live connections at once when the sessions behind them are gone: a
// person let go (a guest whose link is withdrawn, an account disabled, a
// password reset) loses all of theirs; a password change all but the
// changing browser's; signing out closes that session's.
// A socket that is already open would otherwise keep receiving a
// teleconsultation's images and annotations until it reconnects and is refused.
import type { Server as SocketIOServer } from 'socket.io';
import { CONSULT_NAMESPACE, REALTIME_NAMESPACE } from './events';

interface SessionSocketData {
  userId?: string;
  sessionId?: string;
}

async function disconnectWhere(io: SocketIOServer | undefined, matches: (data: SessionSocketData) => boolean): Promise<number> {
  if (!io) return 0;
  let count = 0;
  for (const namespace of [CONSULT_NAMESPACE, REALTIME_NAMESPACE]) {
    for (const socket of await io.of(namespace).fetchSockets()) {
      if (!matches(socket.data as SessionSocketData)) continue;
      socket.disconnect();
      count++;
    }
  }
  return count;
}

/** Every socket of this user, in every namespace. */
export function disconnectUser(io: SocketIOServer | undefined, userId: string): Promise<number> {
  return disconnectWhere(io, (data) => data.userId === userId);
}

/** Every socket of this user but those of one session (a password changed in this browser ends the others). */
export function disconnectUserExceptSession(io: SocketIOServer | undefined, userId: string, keepSessionId: string): Promise<number> {
  return disconnectWhere(io, (data) => data.userId === userId && data.sessionId !== keepSessionId);
}

/** Every socket opened with this session (signing out ends one browser, not the user's others). */
export function disconnectSession(io: SocketIOServer | undefined, sessionId: string): Promise<number> {
  return disconnectWhere(io, (data) => data.sessionId === sessionId);
}
