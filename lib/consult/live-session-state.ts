// What the server holds in memory for each live session: who is here (each
// tab is a peer of the WebRTC mesh), their microphone/camera state, who
// presents, and the presenter's last viewer state. A late joiner or a
// reconnecting tab gets all of it in its JOIN answer from here, not from a
// peer that may be gone. One Telepacs process serves a facility, so memory is
// the right home; nothing here is durable (annotations are in the database),
// and a session's state is dropped when its last peer leaves.
//
// The presenter (whose viewer everyone follows):
// - by default the host, whenever the host is online;
// - while the host is away, the participant who has been here longest
//   "stands in", so that a session without its host can still follow someone;
//   when the host arrives, a stand-in gives the role back;
// - a presenter chosen by a handover keeps the role while online, also when
//   the host comes back (the host takes it back with a handover to themselves);
// - when the presenter's last tab leaves, the rule above picks again.
import type { ViewerSyncState } from '../collab/protocol';
import type { ConsultPeer, ConsultPresencePayload, ConsultRole } from '../realtime/events';

export interface RosterEntry {
  userId: string;
  name: string;
  role: ConsultRole;
  color: string;
}

interface LiveSession {
  /** Invitation order (participant-order.ts), as last read from the database */
  roster: RosterEntry[];
  /** peerId → peer; a Map iterates in insertion order, i.e. the order of arrival */
  peers: Map<string, ConsultPeer>;
  presenterUserId: string | null;
  /** true when the presenter got the role by a handover (see the rules above) */
  presenterChosen: boolean;
  viewer: ViewerSyncState | null;
}

export type HandoverOutcome = 'HANDED_OVER' | 'UNCHANGED' | 'FORBIDDEN' | 'NOT_ONLINE';

export class LiveSessions {
  private readonly sessions = new Map<string, LiveSession>();
  // Ids of sessions ended while this process ran: a JOIN that passed its
  // database check just before the END committed is refused here. A few
  // bytes per ended session, for the life of the process.
  private readonly endedIds = new Set<string>();

  /** Adds a tab to the session (creating its state); the roster replaces the known one (guests may have arrived since). */
  join(consultationId: string, roster: RosterEntry[], peerId: string, userId: string): { firstPeerOfUser: boolean } {
    let session = this.sessions.get(consultationId);
    if (!session) {
      session = { roster, peers: new Map(), presenterUserId: null, presenterChosen: false, viewer: null };
      this.sessions.set(consultationId, session);
    }
    session.roster = roster;
    const firstPeerOfUser = !isOnline(session, userId);
    // A tab that joins again (a repeated JOIN) keeps its media state; a new one starts muted until it says otherwise
    if (!session.peers.has(peerId)) session.peers.set(peerId, { peerId, userId, audio: false, video: false });
    settlePresenter(session);
    return { firstPeerOfUser };
  }

  /** Removes a tab; `lastPeerOfUser` says the user has left (no other tab), `empty` that the state was dropped. */
  leave(consultationId: string, peerId: string): { left: boolean; lastPeerOfUser: boolean; empty: boolean } {
    const session = this.sessions.get(consultationId);
    const peer = session?.peers.get(peerId);
    if (!session || !peer) return { left: false, lastPeerOfUser: false, empty: !session };
    session.peers.delete(peerId);
    if (!session.peers.size) {
      this.sessions.delete(consultationId);
      return { left: true, lastPeerOfUser: true, empty: true };
    }
    settlePresenter(session);
    return { left: true, lastPeerOfUser: !isOnline(session, peer.userId), empty: false };
  }

  /** Drops the state of an ended session and refuses later joins to it; returns the peers that were here. */
  end(consultationId: string): ConsultPeer[] {
    this.endedIds.add(consultationId);
    const peers = [...(this.sessions.get(consultationId)?.peers.values() ?? [])];
    this.sessions.delete(consultationId);
    return peers;
  }

  wasEnded(consultationId: string): boolean {
    return this.endedIds.has(consultationId);
  }

  isOnline(consultationId: string, userId: string): boolean {
    const session = this.sessions.get(consultationId);
    return !!session && isOnline(session, userId);
  }

  peer(consultationId: string, peerId: string): ConsultPeer | undefined {
    return this.sessions.get(consultationId)?.peers.get(peerId);
  }

  participant(consultationId: string, userId: string): RosterEntry | undefined {
    return this.sessions.get(consultationId)?.roster.find((entry) => entry.userId === userId);
  }

  /** Returns whether anything changed (an unchanged state needs no presence update). */
  setMedia(consultationId: string, peerId: string, media: { audio: boolean; video: boolean }): boolean {
    const peer = this.peer(consultationId, peerId);
    if (!peer || (peer.audio === media.audio && peer.video === media.video)) return false;
    peer.audio = media.audio;
    peer.video = media.video;
    return true;
  }

  presenterOf(consultationId: string): string | null {
    return this.sessions.get(consultationId)?.presenterUserId ?? null;
  }

  /** The current presenter or the host may hand the role to anyone online in the session (the host also to themselves). */
  handOver(consultationId: string, byUserId: string, toUserId: string): HandoverOutcome {
    const session = this.sessions.get(consultationId);
    if (!session) return 'NOT_ONLINE';
    const byHost = session.roster.some((entry) => entry.userId === byUserId && entry.role === 'HOST');
    if (session.presenterUserId !== byUserId && !byHost) return 'FORBIDDEN';
    if (!isOnline(session, toUserId)) return 'NOT_ONLINE';
    if (session.presenterUserId === toUserId) return 'UNCHANGED';
    session.presenterUserId = toUserId;
    session.presenterChosen = true;
    return 'HANDED_OVER';
  }

  /** Keeps the viewer state if it comes from the presenter; returns whether it was kept. */
  recordViewport(consultationId: string, fromUserId: string, state: ViewerSyncState): boolean {
    const session = this.sessions.get(consultationId);
    if (!session || session.presenterUserId !== fromUserId) return false;
    session.viewer = state;
    return true;
  }

  viewer(consultationId: string): ViewerSyncState | null {
    return this.sessions.get(consultationId)?.viewer ?? null;
  }

  presence(consultationId: string): ConsultPresencePayload {
    const session = this.sessions.get(consultationId);
    if (!session) return { consultationId, participants: [], presenterUserId: null };
    const peers = [...session.peers.values()];
    return {
      consultationId,
      participants: session.roster.map((entry) => {
        const own = peers.filter((peer) => peer.userId === entry.userId).map((peer) => ({ ...peer }));
        return { ...entry, online: own.length > 0, peers: own };
      }),
      presenterUserId: session.presenterUserId,
    };
  }
}

function isOnline(session: LiveSession, userId: string): boolean {
  for (const peer of session.peers.values()) if (peer.userId === userId) return true;
  return false;
}

function settlePresenter(session: LiveSession): void {
  const presenter = session.presenterUserId;
  const host = session.roster.find((entry) => entry.role === 'HOST' && isOnline(session, entry.userId));
  if (presenter && isOnline(session, presenter) && (session.presenterChosen || !host || presenter === host.userId)) return;
  // Nobody presents, the presenter left, or a stand-in meets the host who has arrived
  const longestHere = session.peers.values().next().value?.userId ?? null;
  session.presenterUserId = host?.userId ?? longestHere;
  session.presenterChosen = false;
}
