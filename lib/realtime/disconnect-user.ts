// Ends a user's live connections at once: their sessions are gone (a guest
// let go, an account disabled), and a socket that is already open would
// otherwise keep receiving a teleconsultation's images and annotations until
// it reconnects and is refused.
import type { Server as SocketIOServer } from 'socket.io';
import { CONSULT_NAMESPACE, REALTIME_NAMESPACE } from './events';

export async function disconnectUser(io: SocketIOServer | undefined, userId: string): Promise<number> {
  if (!io) return 0;
  let count = 0;
  for (const namespace of [CONSULT_NAMESPACE, REALTIME_NAMESPACE]) {
    for (const socket of await io.of(namespace).fetchSockets()) {
      if ((socket.data as { userId?: string }).userId !== userId) continue;
      socket.disconnect();
      count++;
    }
  }
  return count;
}
