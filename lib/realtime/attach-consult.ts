// The /consult namespace: signaling home of a teleconsultation. Sockets are
// authenticated by the portal session cookie (like /realtime); a socket
// enters a session's room only if its user is a participant, otherwise the
// join is answered NOT_FOUND exactly as for an id that does not exist.
// Presence (who of the invited is here) is computed from the room itself, so
// a late joiner or a reconnecting participant gets it from the server.
import type { Namespace, Server as SocketIOServer } from 'socket.io';
import { resolveClientAddress } from '../auth/client-address';
import { consultationForParticipant, recordPresence, type ConsultationView } from '../consult/consultations';
import { isPolicyError } from '../policy';
import type { Runtime } from '../runtime';
import { sessionSocketAuth } from './session-socket-auth';
import {
  CONSULT_EVENTS,
  CONSULT_NAMESPACE,
  consultRoom,
  type ConsultClientEvents,
  type ConsultParticipantPresence,
  type ConsultServerEvents,
} from './events';

interface SocketData {
  userId: string;
  email: string;
  ip: string;
  /** consultation id → what recordPresence needs, for the sessions this socket is in */
  joined: Map<string, Pick<ConsultationView, 'id' | 'facilityId' | 'studyInstanceUid'>>;
}

type ConsultNamespace = Namespace<ConsultClientEvents, ConsultServerEvents, Record<string, never>, SocketData>;

export function attachConsult(io: SocketIOServer, runtime: Runtime): ConsultNamespace {
  const consult = io.of(CONSULT_NAMESPACE) as unknown as ConsultNamespace;

  consult.use(
    sessionSocketAuth(runtime, 'consult', (socket, user) => {
      socket.data.userId = user.id;
      socket.data.email = user.email;
      socket.data.ip = resolveClientAddress(
        { headers: socket.handshake.headers, remoteAddress: socket.handshake.address, secure: socket.handshake.secure },
        runtime.config.trustProxy,
      ).ip;
      socket.data.joined = new Map();
    }),
  );

  async function presence(consultationId: string): Promise<ConsultParticipantPresence[]> {
    const sockets = await consult.in(consultRoom(consultationId)).fetchSockets();
    const online = new Set(sockets.map((socket) => socket.data.userId));
    const rows = await runtime.db.consultationParticipant.findMany({
      where: { consultationId },
      orderBy: [{ role: 'asc' }, { invitedAt: 'asc' }],
      select: { userId: true, role: true, user: { select: { name: true } } },
    });
    return rows.map((row) => ({ userId: row.userId, name: row.user.name, role: row.role, online: online.has(row.userId) }));
  }

  async function announce(consultationId: string, participants?: ConsultParticipantPresence[]): Promise<void> {
    consult.to(consultRoom(consultationId)).emit(CONSULT_EVENTS.PRESENCE, { consultationId, participants: participants ?? (await presence(consultationId)) });
  }

  consult.on('connection', (socket) => {
    const actor = () => ({ userId: socket.data.userId, email: socket.data.email, ip: socket.data.ip });

    socket.on(CONSULT_EVENTS.JOIN, async (payload, ack) => {
      const reply = typeof ack === 'function' ? ack : () => undefined;
      const consultationId = typeof payload?.consultationId === 'string' ? payload.consultationId : '';
      if (!consultationId || consultationId.length > 64) return reply({ ok: false, error: 'BAD_REQUEST' });
      try {
        const consultation = await consultationForParticipant(runtime.db, socket.data.userId, consultationId);
        const firstSocketOfUser = !(await consult.in(consultRoom(consultationId)).fetchSockets()).some((other) => other.data.userId === socket.data.userId);
        await socket.join(consultRoom(consultationId));
        socket.data.joined.set(consultationId, consultation);
        if (firstSocketOfUser) await recordPresence(runtime.db, consultation, actor(), 'join');
        // One presence for the joiner's answer and for the room
        const participants = await presence(consultationId);
        reply({ ok: true, consultationId, studyInstanceUid: consultation.studyInstanceUid, title: consultation.title, participants });
        await announce(consultationId, participants);
      } catch (error) {
        if (isPolicyError(error)) {
          runtime.logger.warn('consultation join refused', { consultationId, userId: socket.data.userId });
          return reply({ ok: false, error: 'NOT_FOUND' });
        }
        runtime.logger.error('consultation join failed', { consultationId, error: String(error) });
        reply({ ok: false, error: 'UNAVAILABLE' });
      }
    });

    const leave = async (consultationId: string) => {
      const consultation = socket.data.joined.get(consultationId);
      if (!consultation) return;
      socket.data.joined.delete(consultationId);
      await socket.leave(consultRoom(consultationId));
      const stillHere = (await consult.in(consultRoom(consultationId)).fetchSockets()).some((other) => other.data.userId === socket.data.userId);
      if (!stillHere) await recordPresence(runtime.db, consultation, actor(), 'leave');
      await announce(consultationId);
    };

    socket.on(CONSULT_EVENTS.LEAVE, (payload) => {
      if (typeof payload?.consultationId === 'string') void leave(payload.consultationId).catch((error: unknown) => runtime.logger.error('consultation leave failed', { error: String(error) }));
    });
    socket.on('disconnect', () => {
      for (const consultationId of [...socket.data.joined.keys()]) {
        void leave(consultationId).catch((error: unknown) => runtime.logger.error('consultation leave failed', { error: String(error) }));
      }
    });
  });
  return consult;
}
