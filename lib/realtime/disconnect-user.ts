// Ends live connections at once when the sessions behind them are gone: a
// person let go (a guest whose link is withdrawn, an account disabled, a
// password reset) loses all of theirs; a password change all but the
// changing browser's; signing out closes that session's.
// A socket that is already open would otherwise keep receiving a
// teleconsultation's images and annotations until it reconnects and is refused.
// A revoked read grant closes the sockets that read through it (disconnectUserFromStudy).
import type { Server as SocketIOServer } from 'socket.io';
import { CONSULT_NAMESPACE, REALTIME_NAMESPACE } from './events';

interface SessionSocketData {
  userId?: string;
  sessionId?: string;
  /** /consult sockets: the consultations joined, each on one facility's copy of a study (attach-consult.ts) */
  joined?: Map<string, { facilityId: string; studyInstanceUid: string }>;
  /** The same copies as plain data (attach-consult.ts keeps both): what survives the Redis adapter's encoding */
  copies?: { facilityId: string; studyInstanceUid: string }[];
}

/** The study copies a /consult socket joined: `copies` (plain data, also on a socket of another process), else `joined` */
function joinedSessions(data: SessionSocketData): { facilityId: string; studyInstanceUid: string }[] {
  if (data.copies) return data.copies;
  return data.joined instanceof Map ? [...data.joined.values()] : [];
}

/** Rooms every signed-in socket of both namespaces is in (session-socket-auth.ts): the fallback's reach */
export const socketsOfUserRoom = (userId: string): string => `sockets-of-user:${userId}`;
export const socketsOfSessionRoom = (sessionId: string): string => `sockets-of-session:${sessionId}`;

/** Which rooms to close when the other processes cannot be asked which sockets match (a superset is fine: they reconnect and are asked again) */
interface FallbackRooms {
  in: string[];
  except?: string[];
  namespaces?: string[];
}

async function disconnectWhere(io: SocketIOServer | undefined, matches: (data: SessionSocketData) => boolean, fallback: FallbackRooms): Promise<number> {
  if (!io) return 0;
  let count = 0;
  for (const namespace of [CONSULT_NAMESPACE, REALTIME_NAMESPACE]) {
    // Every process's sockets (the Redis adapter asks them). A process that does not answer
    // (killed a moment ago, a slow one, Redis away) must not keep its sockets open: then the
    // rooms are told to close, a message each process acts on without answering (a signed-in
    // socket that should not have closed reconnects and is admitted again), and this one
    // closes its own that match
    const sockets = await io
      .of(namespace)
      .fetchSockets()
      .catch(() => {
        if (!fallback.namespaces || fallback.namespaces.includes(namespace)) {
          io.of(namespace)
            .in(fallback.in)
            .except(fallback.except ?? [])
            .disconnectSockets();
        }
        return io.of(namespace).local.fetchSockets();
      });
    for (const socket of sockets) {
      if (!matches(socket.data as SessionSocketData)) continue;
      socket.disconnect();
      count++;
    }
  }
  return count;
}

/** Every socket of this user, in every namespace. */
export function disconnectUser(io: SocketIOServer | undefined, userId: string): Promise<number> {
  return disconnectWhere(io, (data) => data.userId === userId, { in: [socketsOfUserRoom(userId)] });
}

/** Every socket of this user but those of one session (a password changed in this browser ends the others). */
export function disconnectUserExceptSession(io: SocketIOServer | undefined, userId: string, keepSessionId: string): Promise<number> {
  return disconnectWhere(io, (data) => data.userId === userId && data.sessionId !== keepSessionId, { in: [socketsOfUserRoom(userId)], except: [socketsOfSessionRoom(keepSessionId)] });
}

/**
 * This user's /consult sockets that joined a consultation on this study copy:
 * what a revoked grant closes (lib/grants/close-revoked-sockets.ts). Their
 * other sockets, and everyone else's, stay open.
 */
export function disconnectUserFromStudy(io: SocketIOServer | undefined, userId: string, copy: { facilityId: string; studyInstanceUid: string }): Promise<number> {
  return disconnectWhere(
    io,
    (data) =>
      data.userId === userId &&
      joinedSessions(data).some((session) => session.facilityId === copy.facilityId && session.studyInstanceUid === copy.studyInstanceUid),
    // Unanswered: all their live-session sockets (the others reconnect and join again, this one is refused)
    { in: [socketsOfUserRoom(userId)], namespaces: [CONSULT_NAMESPACE] },
  );
}

/** Every socket opened with this session (signing out ends one browser, not the user's others). */
export function disconnectSession(io: SocketIOServer | undefined, sessionId: string): Promise<number> {
  return disconnectWhere(io, (data) => data.sessionId === sessionId, { in: [socketsOfSessionRoom(sessionId)] });
}
