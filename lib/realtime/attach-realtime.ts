// socket.io on the portal's HTTP server. Connections are authenticated by the
// portal session cookie; each user joins the rooms of their facilities, so an
// event about a study only reaches people allowed to see it, and their own
// room (user:<id>) for news decided per person when it is sent.
import type { Server as HttpServer } from 'node:http';
import { Server as SocketIOServer, type ServerOptions } from 'socket.io';
import { isAllowedSocketOrigin } from '../auth';
import type { Runtime } from '../runtime';
import { attachConsult } from './attach-consult';
import { createMemoryLiveStore, type LiveStore } from '../consult/live-store/live-store';
import { createRedisLiveStore } from '../consult/live-store/redis-live-store';
import { closeSocketAdapterClient } from '../redis/socket-adapter';
import { sessionSocketAuth } from './session-socket-auth';
import { REPORT_READER_ROLES } from '../policy/report-access';
import { REALTIME_EVENTS, REALTIME_NAMESPACE, facilityReportsRoom, facilityRoom, userRoom, type RealtimeClientEvents, type RealtimeServerEvents } from './events';

const BATCH_MS = 500;
const LIVE_STORE_KEY = 'consult.live-store';

/** After socket.io closed and the consult handlers settled: this process's mark in the shared live state goes, and the adapter's client */
export async function closeLiveStore(runtime: Pick<Runtime, 'shared'>): Promise<void> {
  await (runtime.shared.get(LIVE_STORE_KEY) as LiveStore | undefined)?.close();
  closeSocketAdapterClient(runtime.shared);
}

/** `adapter`: socket.io across processes (lib/redis/socket-adapter.ts, with REDIS_URL); absent: this process's rooms */
export function attachRealtime(httpServer: HttpServer, runtime: Runtime, adapter?: ServerOptions['adapter']): SocketIOServer {
  const io = new SocketIOServer(httpServer, {
    serveClient: false,
    // Several processes (REDIS_URL): rooms and broadcasts reach the sockets of every process
    // through Redis streams (survives a Redis restart: each process reads on from its offset)
    ...(adapter ? { adapter } : {}),
    // Cross-site WebSocket hijacking: a page elsewhere must not open a socket
    // with our cookie (lib/auth/same-origin.ts has the rule and why).
    allowRequest: (request, callback) => {
      const header = (name: string) => {
        const value = request.headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      const allowed = isAllowedSocketOrigin({
        origin: header('origin'),
        host: header('host'),
        forwardedHost: runtime.config.trustProxy ? header('x-forwarded-host') : undefined,
      });
      if (!allowed) runtime.logger.warn('socket.io handshake from another origin refused', { origin: header('origin') ?? null, url: request.url });
      callback(allowed ? null : 'origin not allowed', allowed);
    },
  });
  const liveStore = runtime.redis ? createRedisLiveStore(runtime.redis) : createMemoryLiveStore();
  runtime.shared.set(LIVE_STORE_KEY, liveStore);
  attachConsult(io, runtime, liveStore);
  const realtime = io.of(REALTIME_NAMESPACE) as unknown as import('socket.io').Namespace<RealtimeClientEvents, RealtimeServerEvents>;

  realtime.use(
    sessionSocketAuth(runtime, 'realtime', (socket, user) => {
      socket.data.userId = user.id;
      // Per-person news (a report of a study read through a grant): who gets it is decided when it is sent
      void socket.join(userRoom(user.id));
      for (const membership of user.memberships) {
        void socket.join(facilityRoom(membership.facilityId));
        if (REPORT_READER_ROLES.includes(membership.role)) void socket.join(facilityReportsRoom(membership.facilityId));
      }
    }),
  );

  // Batch per study copy: a CT series of 500 images is one notification, not
  // 500. Keyed by facility and UID: each facility holds its own copy of a study.
  const pending = new Map<string, { studyInstanceUid: string; facilityId: string; count: number }>();
  let timer: NodeJS.Timeout | undefined;
  runtime.archive.events.on('instance.stored', (result) => {
    const key = `${result.facilityId}\u0000${result.studyInstanceUid}`;
    const entry = pending.get(key) ?? { studyInstanceUid: result.studyInstanceUid, facilityId: result.facilityId, count: 0 };
    entry.count += 1;
    pending.set(key, entry);
    timer ??= setTimeout(() => {
      timer = undefined;
      const batch = [...pending];
      pending.clear();
      void announce(batch);
    }, BATCH_MS);
  });
  /** One event per study, named as the worklist shows it (one index query per study and batch). */
  async function announce(batch: [string, { studyInstanceUid: string; facilityId: string; count: number }][]): Promise<void> {
    for (const [, { studyInstanceUid, facilityId, count }] of batch) {
      const study = await runtime.db.study
        .findUnique({ where: { facilityId_studyInstanceUid: { facilityId, studyInstanceUid } }, select: { description: true, patient: { select: { name: true, patientId: true } } } })
        .catch(() => null);
      realtime.to(facilityRoom(facilityId)).emit(REALTIME_EVENTS.INSTANCES_STORED, {
        studyInstanceUid,
        newInstances: count,
        facilityId,
        patientName: study?.patient.name ?? '',
        patientId: study?.patient.patientId ?? '',
        studyDescription: study?.description ?? '',
      });
    }
  }
  return io;
}
