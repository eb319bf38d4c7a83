// Every socket.io namespace admits only signed-in users, by the portal
// session cookie, the same way: this middleware, given what the namespace
// keeps of the user on its socket. It also records the socket's session
// (disconnect-user.ts closes a session's sockets on sign-out) and closes the
// socket when that session ends (session-lifetime.ts).
import type { Socket } from 'socket.io';
import { SESSION_COOKIE_NAME, readCookie, signedInUserForSession, type SignedInUser } from '../auth';
import type { Runtime } from '../runtime';
import { socketsOfSessionRoom, socketsOfUserRoom } from './disconnect-user';
import { closeWhenSessionEnds } from './session-lifetime';

export function sessionSocketAuth<S extends Socket>(runtime: Runtime, namespace: string, admit: (socket: S, user: SignedInUser) => void) {
  return (socket: S, next: (error?: Error) => void): void => {
    const token = readCookie(socket.handshake.headers.cookie, SESSION_COOKIE_NAME);
    signedInUserForSession(runtime, token)
      .then((user) => {
        if (!user) return next(new Error('not signed in'));
        (socket.data as { sessionId?: string }).sessionId = user.sessionId;
        admit(socket, user);
        // What a revocation closes when another process cannot be asked (disconnect-user.ts)
        void socket.join([socketsOfUserRoom(user.id), socketsOfSessionRoom(user.sessionId)]);
        closeWhenSessionEnds(runtime, socket, user.sessionId, user.sessionExpiresAt);
        next();
      })
      .catch((error: unknown) => {
        runtime.logger.error(`${namespace} authentication failed`, { error: String(error) });
        next(new Error('authentication unavailable'));
      });
  };
}
