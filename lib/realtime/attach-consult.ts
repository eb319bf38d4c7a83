// The /consult namespace: the server side of a live teleconsultation.
// Sockets are authenticated by the portal session cookie (like /realtime); a
// socket enters a session's room only if its user is a participant, otherwise
// the join is answered NOT_FOUND exactly as for an id that does not exist.
//
// Transport only: every handler checks its payload's shape, acts only for a
// socket that joined that session, and calls lib/consult (annotations, the
// end of a session) or the in-memory session state (presence, presenter,
// viewer state, media). Nothing a client sends can make a handler throw: a bad
// payload is answered BAD_REQUEST (or dropped, for events without an answer)
// and logged.
import type { Namespace, Server as SocketIOServer, Socket } from 'socket.io';
import type { z } from 'zod';
import { resolveClientAddress } from '../auth/client-address';
import { iceServersFor } from '../collab/ice-servers';
import type { CollabMessage } from '../collab/protocol';
import { recordPresence, type Actor, type ConsultationView } from '../consult/consultations';
import { enterConsultation } from '../consult/enter-consultation';
import { endConsultation } from '../consult/end-consultation';
import { closeRevokedSockets } from '../grants/close-revoked-sockets';
import { ConsultError, isConsultError } from '../consult/errors';
import { listAnnotations } from '../consult/list-annotations';
import {
  MAX_SIGNAL_BYTES,
  ZAnnotationRemovePayload,
  ZAnnotationUpsertPayload,
  ZHandoverPayload,
  ZMediaStatePayload,
  ZRelayPayload,
  ZSessionPayload,
  ZSignalPayload,
  ZViewerSyncState,
  jsonBytes,
} from '../consult/live-payloads';
import { LiveSessions, type RosterEntry } from '../consult/live-session-state';
import type { LiveStore } from '../consult/live-store/live-store';
import { consultRole } from '../consult/participant-order';
import { removeAnnotation } from '../consult/remove-annotation';
import { upsertAnnotation } from '../consult/upsert-annotation';
import { MAX_COLLAB_MESSAGE_BYTES } from '../collab/protocol';
import { isPolicyError } from '../policy';
import type { Runtime } from '../runtime';
import { sessionSocketAuth } from './session-socket-auth';
import { CONSULT_EVENTS, CONSULT_NAMESPACE, consultRoom, type ConsultPresencePayload, type ConsultAck, type ConsultClientEvents, type ConsultEventName, type ConsultServerEvents } from './events';

type JoinedSession = Pick<ConsultationView, 'id' | 'facilityId' | 'studyInstanceUid'> & {
  /** As at the JOIN: what this tab is put back into the shared state with after Redis lost it */
  roster: RosterEntry[];
};

interface SocketData {
  userId: string;
  /** The portal session that opened this socket (set by sessionSocketAuth) */
  sessionId: string;
  email: string;
  ip: string;
  /** consultation id → what recordPresence needs, for the sessions this socket is in */
  joined: Map<string, JoinedSession>;
  /**
   * The study copies of `joined`, as plain data: what another process sees of this socket through
   * the Redis adapter's fetchSockets (a Map does not survive its encoding), for the revocation hook
   * (disconnect-user.ts)
   */
  copies: { facilityId: string; studyInstanceUid: string }[];
  /** The tail of this socket's JOIN/LEAVE handlers (handle(): they run in order) */
  order: Promise<void>;
  /** Refusals of unanswered events already logged for this socket (see refuse()) */
  loggedRefusals: Set<string>;
}

type ConsultNamespace = Namespace<ConsultClientEvents, ConsultServerEvents, Record<string, never>, SocketData>;
type ConsultSocket = Socket<ConsultClientEvents, ConsultServerEvents, Record<string, never>, SocketData>;
type Refusal = Extract<ConsultAck, { ok: false }>;

// Events that carry no answer and may come many times a second (a viewport per
// frame, a candidate per network path): a client bug or a hostile one would
// flood the log, so each kind of refusal is logged once per socket.
const UNANSWERED_EVENTS: ReadonlySet<ConsultEventName> = new Set([CONSULT_EVENTS.SIGNAL, CONSULT_EVENTS.RELAY, CONSULT_EVENTS.MEDIA_STATE, CONSULT_EVENTS.LEAVE]);

const IN_FLIGHT_KEY = 'consult.in-flight';
const ORDERED_EVENTS: ReadonlySet<ConsultEventName> = new Set([CONSULT_EVENTS.JOIN, CONSULT_EVENTS.LEAVE]);

/**
 * Waits for the /consult handlers still running, e.g. the leaves that closing
 * socket.io sets off (each writes the participant's row and an audit event):
 * the server calls it after closing socket.io and before closing the database,
 * or on PostgreSQL a transaction cut off by the closing pool hangs the shutdown.
 */
export async function settleConsultHandlers(runtime: Pick<Runtime, 'shared'>): Promise<void> {
  const inFlight = runtime.shared.get(IN_FLIGHT_KEY) as Set<Promise<void>> | undefined;
  while (inFlight?.size) await Promise.all([...inFlight]);
}

const ENDED_EVENT = 'consult:ended';
/** A leave the live store refused is tried again this often until it passes */
const LEAVE_RETRY_MS = 1_000;

/** A tab that left a session, with what its leave records */
interface LeftTab {
  consultationId: string;
  socketId: string;
  session: JoinedSession;
  actor: Actor;
}

export function attachConsult(io: SocketIOServer, runtime: Runtime, store?: LiveStore): ConsultNamespace {
  const consult = io.of(CONSULT_NAMESPACE) as unknown as ConsultNamespace;
  const sessions = new LiveSessions(store);
  const inFlight = new Set<Promise<void>>();
  runtime.shared.set(IN_FLIGHT_KEY, inFlight);

  consult.use(
    sessionSocketAuth(runtime, 'consult', (socket, user) => {
      socket.data.userId = user.id;
      socket.data.email = user.email;
      socket.data.ip = resolveClientAddress(
        { headers: socket.handshake.headers, remoteAddress: socket.handshake.address, secure: socket.handshake.secure },
        runtime.config.trustProxy,
      ).ip;
      socket.data.joined = new Map();
      socket.data.copies = [];
      socket.data.order = Promise.resolve();
      socket.data.loggedRefusals = new Set();
    }),
  );

  const actorOf = (socket: ConsultSocket): Actor => ({ userId: socket.data.userId, email: socket.data.email, ip: socket.data.ip });
  const announce = (presence: ConsultPresencePayload | undefined) => {
    if (presence) consult.to(consultRoom(presence.consultationId)).emit(CONSULT_EVENTS.PRESENCE, presence);
  };

  function refuse(socket: ConsultSocket, event: ConsultEventName, refusal: Refusal, consultationId?: string): void {
    const key = `${event}:${refusal.error}`;
    if (UNANSWERED_EVENTS.has(event)) {
      if (socket.data.loggedRefusals.has(key)) return;
      socket.data.loggedRefusals.add(key);
    }
    runtime.logger.warn('consultation event refused', { event, error: refusal.error, reason: refusal.message, consultationId, userId: socket.data.userId, peerId: socket.id });
  }

  /** Runs one handler: typed refusals become the answer (and a log line), anything else UNAVAILABLE and an error log. */
  function handle(socket: ConsultSocket, event: ConsultEventName, payload: unknown, reply: (refusal: Refusal) => void, work: () => Promise<void>): void {
    const run = () => runHandler(socket, event, payload, reply, work);
    // A tab's joins and leaves (its disconnect too) run one after another, in the order they came:
    // the shared state is changed asynchronously, and a LEAVE must not overtake the JOIN before it
    const running = (ORDERED_EVENTS.has(event) ? (socket.data.order = socket.data.order.then(run)) : run()).finally(() => inFlight.delete(running));
    inFlight.add(running);
  }

  async function runHandler(socket: ConsultSocket, event: ConsultEventName, payload: unknown, reply: (refusal: Refusal) => void, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      // For the log line only: the payload may be anything
      const consultationId = String((payload as { consultationId?: unknown } | null | undefined)?.consultationId ?? '').slice(0, 64);
      let refusal: Refusal;
      if (isConsultError(error)) refusal = { ok: false, error: error.code, message: error.message };
      else if (isPolicyError(error)) refusal = { ok: false, error: 'NOT_FOUND' };
      else {
        runtime.logger.error('consultation event failed', { event, consultationId, userId: socket.data.userId, error: error instanceof Error ? error.message : String(error) });
        return reply({ ok: false, error: 'UNAVAILABLE' });
      }
      refuse(socket, event, refusal, consultationId);
      reply(refusal);
    }
  }

  function parse<Schema extends z.ZodType>(schema: Schema, payload: unknown): z.output<Schema> {
    const result = schema.safeParse(payload);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new ConsultError('BAD_REQUEST', `${issue.path.join('.') || 'payload'}: ${issue.message}`);
    }
    return result.data;
  }

  /** The session this socket joined; a socket that did not join it is an outsider to it. */
  function joinedSession(socket: ConsultSocket, consultationId: string): JoinedSession {
    const session = socket.data.joined.get(consultationId);
    if (!session) throw new ConsultError('NOT_FOUND', 'not in this session');
    return session;
  }

  async function leave(socket: ConsultSocket, consultationId: string): Promise<void> {
    const session = socket.data.joined.get(consultationId);
    if (!session) return;
    socket.data.joined.delete(consultationId);
    noteCopies(socket);
    void socket.leave(consultRoom(consultationId));
    const left: LeftTab = { consultationId, socketId: socket.id, session, actor: actorOf(socket) };
    try {
      await finishLeave(left);
    } catch (error) {
      // The live store refused (Redis away or stalled): tried again, or the tab would stay listed as here
      failedLeaves.push(left);
      retryLeavesSoon();
      throw error;
    }
  }

  async function finishLeave(left: LeftTab): Promise<void> {
    const { lastPeerOfUser, presence } = await sessions.leave(left.consultationId, left.socketId);
    announce(presence);
    if (lastPeerOfUser) await recordPresence(runtime.db, left.session, left.actor, 'leave');
  }

  const failedLeaves: LeftTab[] = [];
  let leaveRetry: NodeJS.Timeout | undefined;
  function retryLeavesSoon(): void {
    if (leaveRetry || failedLeaves.length === 0) return;
    leaveRetry = setTimeout(() => {
      leaveRetry = undefined;
      const running = retryFailedLeaves().finally(() => inFlight.delete(running));
      inFlight.add(running);
    }, LEAVE_RETRY_MS);
    leaveRetry.unref();
  }
  async function retryFailedLeaves(): Promise<void> {
    for (const left of failedLeaves.splice(0)) {
      await finishLeave(left).catch(() => failedLeaves.push(left));
    }
    if (failedLeaves.length) retryLeavesSoon();
    else runtime.logger.info('live sessions: leaves refused during a Redis outage are done');
  }

  /** This process's sockets in an ended session leave its room; each user's leave recorded once */
  async function releaseMembers(consultationId: string): Promise<void> {
    const leaving = new Map<string, { socket: ConsultSocket; session: JoinedSession }>();
    for (const member of consult.sockets.values()) {
      const session = member.data.joined?.get(consultationId);
      if (!session) continue;
      member.data.joined.delete(consultationId);
      noteCopies(member);
      void member.leave(consultRoom(consultationId));
      leaving.set(member.data.userId, { socket: member, session });
    }
    for (const { socket: member, session } of leaving.values()) await recordPresence(runtime.db, session, actorOf(member), 'leave');
  }

  /**
   * Redis came back after an outage (a restart loses the live state): this process's tabs are put
   * back into their sessions, and everyone is told who is here. The presenter's view comes back
   * with their next viewport.
   */
  async function rejoinLocalTabs(): Promise<void> {
    for (const socket of consult.sockets.values()) {
      for (const [consultationId, session] of socket.data.joined ?? []) {
        // An END while Redis was away reached the database only: such a session is let go, not revived
        const ended = (await runtime.db.consultation.findUnique({ where: { id: consultationId }, select: { endedAt: true } }))?.endedAt;
        const joined = ended ? { ended: true as const } : await sessions.join(consultationId, session.roster, socket.id, socket.data.userId);
        if (joined.ended) await releaseMembers(consultationId);
        else announce(joined.presence);
      }
    }
  }
  if (runtime.redis) {
    let lost = false;
    runtime.redis.on('close', () => (lost = true));
    runtime.redis.on('ready', () => {
      if (!lost) return;
      lost = false;
      const running = rejoinLocalTabs()
        .then(() => runtime.logger.info('live sessions restored after Redis came back'))
        .catch((error: unknown) => runtime.logger.error('could not restore the live sessions after Redis came back', { error: String(error) }))
        .finally(() => inFlight.delete(running));
      inFlight.add(running);
    });
  }

  // Another process ended a session (serverSideEmit, with the Redis adapter only)
  (consult as unknown as Namespace).on(ENDED_EVENT, (consultationId: unknown) => {
    if (typeof consultationId !== 'string') return;
    const running = releaseMembers(consultationId)
      .catch((error: unknown) => runtime.logger.error('could not release the members of an ended session', { consultationId, error: String(error) }))
      .finally(() => inFlight.delete(running));
    inFlight.add(running);
  });

  consult.on('connection', (socket) => {
    socket.on(CONSULT_EVENTS.JOIN, (payload, ack) => {
      const reply = answer(ack);
      // A JOIN is refused only as NOT_FOUND, BAD_REQUEST, ENDED or UNAVAILABLE (ConsultJoinAck)
      const refuseJoin = ({ error }: Refusal) => reply({ ok: false, error: error === 'NOT_FOUND' || error === 'BAD_REQUEST' ? error : 'UNAVAILABLE' });
      handle(socket, CONSULT_EVENTS.JOIN, payload, refuseJoin, async () => {
        const { consultationId } = parse(ZSessionPayload, payload);
        const consultation = await enterConsultation(runtime, actorOf(socket), consultationId, 'socket');
        if (consultation.endedAt || (await sessions.wasEnded(consultationId))) return reply({ ok: false, error: 'ENDED' });
        const annotations = await listAnnotations(runtime.db, consultation);
        const arriving = !socket.data.joined.has(consultationId) && !(await sessions.isOnline(consultationId, socket.data.userId));
        // Audited before the socket is let in: no unrecorded presence in a session
        if (arriving) await recordPresence(runtime.db, consultation, actorOf(socket), 'join');
        // The tab may have closed while we wrote (an END meanwhile is told by join() below, under its exclusion)
        if (!socket.connected) {
          if (arriving) await recordPresence(runtime.db, consultation, actorOf(socket), 'leave');
          return reply({ ok: false, error: 'ENDED' });
        }
        const roster: RosterEntry[] = consultation.participants.map((participant) => ({
          userId: participant.userId,
          name: participant.name,
          role: consultRole(participant.role),
          color: participant.color,
        }));
        const joined = await sessions.join(consultationId, roster, socket.id, socket.data.userId);
        if (joined.ended) {
          if (arriving) await recordPresence(runtime.db, consultation, actorOf(socket), 'leave');
          return reply({ ok: false, error: 'ENDED' });
        }
        socket.data.joined.set(consultationId, { id: consultation.id, facilityId: consultation.facilityId, studyInstanceUid: consultation.studyInstanceUid, roster });
        noteCopies(socket);
        // Rooms are this process's (the Redis adapter carries broadcasts to the others): joined synchronously
        void socket.join(consultRoom(consultationId));
        // Closed while the state was written: its disconnect found nothing to leave yet
        if (!socket.connected) return leave(socket, consultationId);
        const { presence } = joined;
        reply({
          ok: true,
          consultationId,
          studyInstanceUid: consultation.studyInstanceUid,
          title: consultation.title,
          peerId: socket.id,
          userId: socket.data.userId,
          participants: presence.participants,
          presenterUserId: presence.presenterUserId,
          viewer: await sessions.viewer(consultationId),
          annotations,
          iceServers: iceServersFor(runtime.config, socket.data.userId, new Date()),
        });
        announce(presence);
      });
    });

    socket.on(CONSULT_EVENTS.LEAVE, (payload) => {
      handle(socket, CONSULT_EVENTS.LEAVE, payload, ignore, async () => {
        const { consultationId } = parse(ZSessionPayload, payload);
        await leave(socket, consultationId);
      });
    });

    socket.on('disconnect', () => {
      for (const consultationId of [...socket.data.joined.keys()]) {
        handle(socket, CONSULT_EVENTS.LEAVE, { consultationId }, ignore, () => leave(socket, consultationId));
      }
    });

    // WebRTC signaling: only between tabs of the same session, so the server never
    // introduces a stranger's browser to a participant's.
    socket.on(CONSULT_EVENTS.SIGNAL, (payload) => {
      handle(socket, CONSULT_EVENTS.SIGNAL, payload, ignore, async () => {
        const { consultationId, to, data } = parse(ZSignalPayload, payload);
        joinedSession(socket, consultationId);
        if (jsonBytes(data) > MAX_SIGNAL_BYTES) throw new ConsultError('BAD_REQUEST', `signal larger than ${MAX_SIGNAL_BYTES} bytes`);
        if (to === socket.id || !(await sessions.snapshot(consultationId)).hasPeer(to)) throw new ConsultError('NOT_FOUND', 'no such peer in this session');
        consult.to(to).emit(CONSULT_EVENTS.SIGNAL, { consultationId, from: socket.id, data });
      });
    });

    // The relay: data channel messages for the peers without one. Only the presenter's
    // viewport is relayed (followers follow one viewer), and it is kept for late joiners.
    socket.on(CONSULT_EVENTS.RELAY, (payload) => {
      handle(socket, CONSULT_EVENTS.RELAY, payload, ignore, async () => {
        const { consultationId, to, message } = parse(ZRelayPayload, payload);
        joinedSession(socket, consultationId);
        if (jsonBytes(message) > MAX_COLLAB_MESSAGE_BYTES) throw new ConsultError('BAD_REQUEST', `message larger than ${MAX_COLLAB_MESSAGE_BYTES} bytes`);
        const snapshot = await sessions.snapshot(consultationId);
        if (message.type === 'viewport') {
          if (snapshot.presenterUserId !== socket.data.userId) throw new ConsultError('FORBIDDEN', 'only the presenter shares a viewport');
          await sessions.recordViewport(consultationId, snapshot, socket.data.userId, parse(ZViewerSyncState, message.state));
        }
        const addressed = [...new Set(to)].filter((peerId) => peerId !== socket.id);
        const targets = addressed.filter((peerId) => snapshot.hasPeer(peerId));
        if (targets.length < addressed.length) refuse(socket, CONSULT_EVENTS.RELAY, { ok: false, error: 'NOT_FOUND', message: 'relay to a peer not in this session' }, consultationId);
        // Checked above: a known type, within the size limit; the peers check the rest as they do for the data channel
        if (targets.length) consult.to(targets).emit(CONSULT_EVENTS.RELAYED, { consultationId, from: socket.id, userId: socket.data.userId, message: message as CollabMessage });
      });
    });

    socket.on(CONSULT_EVENTS.ANNOTATION_UPSERT, (payload, ack) => {
      const reply = answer(ack);
      handle(socket, CONSULT_EVENTS.ANNOTATION_UPSERT, payload, reply, async () => {
        const { consultationId, annotation: input } = parse(ZAnnotationUpsertPayload, payload);
        joinedSession(socket, consultationId);
        const annotation = await upsertAnnotation(runtime.db, actorOf(socket), consultationId, input);
        socket.to(consultRoom(consultationId)).emit(CONSULT_EVENTS.ANNOTATION_CHANGED, { consultationId, annotation });
        reply({ ok: true, annotation });
      });
    });

    socket.on(CONSULT_EVENTS.ANNOTATION_REMOVE, (payload, ack) => {
      const reply = answer(ack);
      handle(socket, CONSULT_EVENTS.ANNOTATION_REMOVE, payload, reply, async () => {
        const { consultationId, uid } = parse(ZAnnotationRemovePayload, payload);
        joinedSession(socket, consultationId);
        const removal = await removeAnnotation(runtime.db, actorOf(socket), consultationId, uid);
        if (removal.removed) {
          socket.to(consultRoom(consultationId)).emit(CONSULT_EVENTS.ANNOTATION_REMOVED, { consultationId, uid: removal.uid, version: removal.version, byUserId: socket.data.userId });
        }
        reply({ ok: true });
      });
    });

    socket.on(CONSULT_EVENTS.PRESENTER_REQUEST, (payload, ack) => {
      const reply = answer(ack);
      handle(socket, CONSULT_EVENTS.PRESENTER_REQUEST, payload, reply, async () => {
        const { consultationId } = parse(ZSessionPayload, payload);
        joinedSession(socket, consultationId);
        const snapshot = await sessions.snapshot(consultationId);
        if (snapshot.presenterUserId !== socket.data.userId) {
          const name = snapshot.participant(socket.data.userId)?.name ?? '';
          consult.to(consultRoom(consultationId)).emit(CONSULT_EVENTS.PRESENTER_REQUESTED, { consultationId, userId: socket.data.userId, name });
        }
        reply({ ok: true });
      });
    });

    socket.on(CONSULT_EVENTS.PRESENTER_HANDOVER, (payload, ack) => {
      const reply = answer(ack);
      handle(socket, CONSULT_EVENTS.PRESENTER_HANDOVER, payload, reply, async () => {
        const { consultationId, toUserId } = parse(ZHandoverPayload, payload);
        joinedSession(socket, consultationId);
        const { outcome, presence } = await sessions.handOver(consultationId, socket.data.userId, toUserId);
        if (outcome === 'FORBIDDEN') throw new ConsultError('FORBIDDEN', 'only the presenter or the host hands the presenter role over');
        if (outcome === 'NOT_ONLINE') throw new ConsultError('CONFLICT', 'the new presenter is not in the session now');
        reply({ ok: true });
        announce(presence);
      });
    });

    socket.on(CONSULT_EVENTS.MEDIA_STATE, (payload) => {
      handle(socket, CONSULT_EVENTS.MEDIA_STATE, payload, ignore, async () => {
        const { consultationId, audio, video } = parse(ZMediaStatePayload, payload);
        joinedSession(socket, consultationId);
        announce(await sessions.setMedia(consultationId, socket.id, { audio, video }));
      });
    });

    socket.on(CONSULT_EVENTS.END, (payload, ack) => {
      const reply = answer(ack);
      handle(socket, CONSULT_EVENTS.END, payload, reply, async () => {
        const { consultationId } = parse(ZSessionPayload, payload);
        joinedSession(socket, consultationId);
        const { endedAt, revoked } = await endConsultation(runtime.db, actorOf(socket), consultationId);
        // Ended in the database: the rest happens even if the shared live state cannot be told now
        // (Redis away); the JOIN of a tab also checks the database's end (enterConsultation)
        await sessions.end(consultationId).catch((error: unknown) => runtime.logger.error('an ended session could not be marked ended in the live state', { consultationId, error: String(error) }));
        consult.to(consultRoom(consultationId)).emit(CONSULT_EVENTS.ENDED, { consultationId, endedAt: endedAt.toISOString() });
        reply({ ok: true });
        // Everyone leaves the room, on every process; each one's leave is recorded like any other
        if (runtime.redis) (consult as unknown as Namespace).serverSideEmit(ENDED_EVENT, consultationId);
        await releaseMembers(consultationId);
        // Its read grants ended with it (lib/grants): the one revocation hook closes any socket of theirs
        // still on that study without another way to read it (everyone left this room just above).
        // The room shows the end itself ("ended by … at …"): no access:revoked over it
        await closeRevokedSockets({ db: runtime.db, io }, revoked, null);
      });
    });
  });
  return consult;
}

function noteCopies(socket: ConsultSocket): void {
  socket.data.copies = [...socket.data.joined.values()].map(({ facilityId, studyInstanceUid }) => ({ facilityId, studyInstanceUid }));
}

/** socket.io passes an ack only when the client asked for one, whatever the event map says; without one nobody is answered. */
function answer<Reply extends (result: never) => void>(ack: Reply | undefined): Reply | typeof ignore {
  return typeof ack === 'function' ? ack : ignore;
}

function ignore(): void {}
