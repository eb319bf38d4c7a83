// Where the live sessions' state is kept (lib/consult/live-session-state.ts has
// the rules): in this process's memory (one process, the default), or in Redis
// (REDIS_URL, several processes: redis-live-store.ts), so that two participants
// connected to different processes are in one session and a process that dies
// loses nobody's state.
//
// update() is the one way to change a session: its function gets the state and
// returns the new one, and no other update of that session runs in between —
// in memory because the function is synchronous, in Redis under a lock.
import type { ViewerSyncState } from '../../collab/protocol';
import type { ConsultPeer, ConsultRole } from '../../realtime/events';

export interface RosterEntry {
  userId: string;
  name: string;
  role: ConsultRole;
  color: string;
}

/** A tab in the session, and the process its socket is connected to */
export interface LivePeer extends ConsultPeer {
  serverId: string;
}

export interface LiveSessionState {
  /** Invitation order (participant-order.ts), as last read from the database */
  roster: RosterEntry[];
  /** In order of arrival */
  peers: LivePeer[];
  presenterUserId: string | null;
  /** true when the presenter got the role by a handover */
  presenterChosen: boolean;
}

export interface LiveStore {
  /** This process, as peers record it */
  readonly serverId: string;
  /**
   * `change` returns the new state (undefined drops it) and a result; it must not throw. `ended`:
   * the session was ended (end()), read under the same exclusion, so a JOIN racing an END cannot
   * bring the state back.
   */
  update<T>(consultationId: string, change: (state: LiveSessionState | undefined, ended: boolean) => { state: LiveSessionState | undefined; result: T }): Promise<T>;
  read(consultationId: string): Promise<LiveSessionState | undefined>;
  /** Refuses later joins; returns the state that was dropped */
  end(consultationId: string): Promise<LiveSessionState | undefined>;
  wasEnded(consultationId: string): Promise<boolean>;
  viewer(consultationId: string): Promise<ViewerSyncState | null>;
  setViewer(consultationId: string, viewer: ViewerSyncState | null): Promise<void>;
  close(): Promise<void>;
}

export function createMemoryLiveStore(serverId = 'local'): LiveStore {
  const sessions = new Map<string, LiveSessionState>();
  const viewers = new Map<string, ViewerSyncState>();
  // Ids of sessions ended while this process ran: a JOIN that passed its
  // database check just before the END committed is refused. A few bytes per
  // ended session, for the life of the process.
  const endedIds = new Set<string>();
  return {
    serverId,
    async update(consultationId, change) {
      const { state, result } = change(sessions.get(consultationId), endedIds.has(consultationId));
      if (state) sessions.set(consultationId, state);
      else {
        sessions.delete(consultationId);
        viewers.delete(consultationId);
      }
      return result;
    },
    async read(consultationId) {
      return sessions.get(consultationId);
    },
    async end(consultationId) {
      endedIds.add(consultationId);
      const state = sessions.get(consultationId);
      sessions.delete(consultationId);
      viewers.delete(consultationId);
      return state;
    },
    async wasEnded(consultationId) {
      return endedIds.has(consultationId);
    },
    async viewer(consultationId) {
      return viewers.get(consultationId) ?? null;
    },
    async setViewer(consultationId, viewer) {
      if (viewer && sessions.has(consultationId)) viewers.set(consultationId, viewer);
      else viewers.delete(consultationId);
    },
    async close() {},
  };
}
