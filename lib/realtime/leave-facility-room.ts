// A disabled facility's room is emptied at once: open worklists stop hearing
// about its arrivals now, not when they reconnect (a reconnect joins only the
// rooms of enabled facilities: lib/auth/signed-in-user.ts).
import type { Server as SocketIOServer } from 'socket.io';
import { REALTIME_NAMESPACE, facilityReportsRoom, facilityRoom } from './events';

export function leaveFacilityRoom(io: SocketIOServer | undefined, facilityId: string): void {
  if (!io) return;
  for (const room of [facilityRoom(facilityId), facilityReportsRoom(facilityId)]) io.of(REALTIME_NAMESPACE).in(room).socketsLeave(room);
}
