// The rules of a live session's shared state: who is here (each tab is a peer
// of the WebRTC mesh), their microphone/camera state, who presents, and the
// presenter's last viewer state. A late joiner or a reconnecting tab gets all
// of it in its JOIN answer from here, not from a peer that may be gone. Nothing
// here is durable (annotations are in the database); a session's state is
// dropped when its last peer leaves. Where the state lives — this process, or
// Redis for several processes — is the LiveStore's business (live-store/).
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
import type { ConsultPeer, ConsultPresencePayload } from '../realtime/events';
import { createMemoryLiveStore, type LiveSessionState, type LiveStore, type RosterEntry } from './live-store/live-store';

export type { RosterEntry };
export type HandoverOutcome = 'HANDED_OVER' | 'UNCHANGED' | 'FORBIDDEN' | 'NOT_ONLINE';
export type LeaveOutcome = { left: boolean; lastPeerOfUser: boolean; presence: ConsultPresencePayload | undefined };
export type JoinOutcome = { ended: true } | { ended: false; firstPeerOfUser: boolean; presence: ConsultPresencePayload };

export class LiveSessions {
  constructor(readonly store: LiveStore = createMemoryLiveStore()) {}

  /**
   * Adds a tab to the session (creating its state); the roster replaces the known one (guests may
   * have arrived since). A session ended meanwhile is not recreated.
   */
  join(consultationId: string, roster: RosterEntry[], peerId: string, userId: string): Promise<JoinOutcome> {
    return this.update<JoinOutcome>(consultationId, (existing, ended) => {
      if (ended) return { state: existing, result: { ended: true } };
      const session: LiveSessionState = existing ?? { roster, peers: [], presenterUserId: null, presenterChosen: false };
      session.roster = roster;
      const firstPeerOfUser = !isOnline(session, userId);
      // A tab that joins again (a repeated JOIN) keeps its media state; a new one starts muted until it says otherwise
      if (!session.peers.some((peer) => peer.peerId === peerId)) session.peers.push({ peerId, userId, audio: false, video: false, serverId: this.store.serverId });
      settlePresenter(session);
      return { state: session, result: { ended: false, firstPeerOfUser, presence: presenceOf(consultationId, session) } };
    });
  }

  /** Removes a tab; `lastPeerOfUser` says the user has left (no other tab), `presence` is undefined when the state was dropped. */
  leave(consultationId: string, peerId: string): Promise<LeaveOutcome> {
    return this.update<LeaveOutcome>(consultationId, (session) => {
      const peer = session?.peers.find((entry) => entry.peerId === peerId);
      if (!session || !peer) return { state: session, result: { left: false, lastPeerOfUser: false, presence: session && presenceOf(consultationId, session) } };
      session.peers = session.peers.filter((entry) => entry.peerId !== peerId);
      if (!session.peers.length) return { state: undefined, result: { left: true, lastPeerOfUser: true, presence: undefined } };
      settlePresenter(session);
      return { state: session, result: { left: true, lastPeerOfUser: !isOnline(session, peer.userId), presence: presenceOf(consultationId, session) } };
    });
  }

  /** Drops the state of an ended session and refuses later joins to it; returns the peers that were here. */
  async end(consultationId: string): Promise<ConsultPeer[]> {
    return ((await this.store.end(consultationId))?.peers ?? []).map(publicPeer);
  }

  wasEnded(consultationId: string): Promise<boolean> {
    return this.store.wasEnded(consultationId);
  }

  async isOnline(consultationId: string, userId: string): Promise<boolean> {
    const session = await this.store.read(consultationId);
    return !!session && isOnline(session, userId);
  }

  /**
   * The store's update, on a settled state: the store may have dropped the tabs of a process that
   * died (redis-live-store.ts), so an empty session is no session and the presenter is picked again.
   */
  private update<T>(consultationId: string, change: (state: LiveSessionState | undefined, ended: boolean) => { state: LiveSessionState | undefined; result: T }): Promise<T> {
    return this.store.update(consultationId, (state, ended) => {
      const live = state?.peers.length ? state : undefined;
      if (live) settlePresenter(live);
      return change(live, ended);
    });
  }

  /** The session as it is now (one read), for the checks of an event */
  async snapshot(consultationId: string): Promise<LiveSnapshot> {
    return new LiveSnapshot(await this.store.read(consultationId));
  }

  /** Returns the new presence if anything changed (an unchanged state needs no presence update). */
  setMedia(consultationId: string, peerId: string, media: { audio: boolean; video: boolean }): Promise<ConsultPresencePayload | undefined> {
    return this.update(consultationId, (session) => {
      const peer = session?.peers.find((entry) => entry.peerId === peerId);
      if (!session || !peer || (peer.audio === media.audio && peer.video === media.video)) return { state: session, result: undefined };
      peer.audio = media.audio;
      peer.video = media.video;
      return { state: session, result: presenceOf(consultationId, session) };
    });
  }

  /** The current presenter or the host may hand the role to anyone online in the session (the host also to themselves). */
  handOver(consultationId: string, byUserId: string, toUserId: string): Promise<{ outcome: HandoverOutcome; presence?: ConsultPresencePayload }> {
    return this.update<{ outcome: HandoverOutcome; presence?: ConsultPresencePayload }>(consultationId, (session) => {
      if (!session) return { state: session, result: { outcome: 'NOT_ONLINE' as const } };
      const byHost = session.roster.some((entry) => entry.userId === byUserId && entry.role === 'HOST');
      if (session.presenterUserId !== byUserId && !byHost) return { state: session, result: { outcome: 'FORBIDDEN' as const } };
      if (!isOnline(session, toUserId)) return { state: session, result: { outcome: 'NOT_ONLINE' as const } };
      if (session.presenterUserId === toUserId) return { state: session, result: { outcome: 'UNCHANGED' as const } };
      session.presenterUserId = toUserId;
      session.presenterChosen = true;
      return { state: session, result: { outcome: 'HANDED_OVER' as const, presence: presenceOf(consultationId, session) } };
    });
  }

  /** Keeps the viewer state if it comes from the presenter (as `snapshot` saw them); returns whether it was kept. */
  async recordViewport(consultationId: string, snapshot: LiveSnapshot, fromUserId: string, state: ViewerSyncState): Promise<boolean> {
    if (snapshot.presenterUserId !== fromUserId) return false;
    await this.store.setViewer(consultationId, state);
    return true;
  }

  viewer(consultationId: string): Promise<ViewerSyncState | null> {
    return this.store.viewer(consultationId);
  }

  async presence(consultationId: string): Promise<ConsultPresencePayload> {
    const session = await this.store.read(consultationId);
    return session ? presenceOf(consultationId, session) : { consultationId, participants: [], presenterUserId: null };
  }

  async presenterOf(consultationId: string): Promise<string | null> {
    return (await this.store.read(consultationId))?.presenterUserId ?? null;
  }
}

/** One read of a session, asked several questions */
export class LiveSnapshot {
  constructor(private readonly session: LiveSessionState | undefined) {}

  get presenterUserId(): string | null {
    return this.session?.presenterUserId ?? null;
  }

  hasPeer(peerId: string): boolean {
    return !!this.session?.peers.some((peer) => peer.peerId === peerId);
  }

  participant(userId: string): RosterEntry | undefined {
    return this.session?.roster.find((entry) => entry.userId === userId);
  }
}

function publicPeer({ peerId, userId, audio, video }: ConsultPeer): ConsultPeer {
  return { peerId, userId, audio, video };
}

function presenceOf(consultationId: string, session: LiveSessionState): ConsultPresencePayload {
  return {
    consultationId,
    participants: session.roster.map((entry) => {
      const own = session.peers.filter((peer) => peer.userId === entry.userId).map(publicPeer);
      return { ...entry, online: own.length > 0, peers: own };
    }),
    presenterUserId: session.presenterUserId,
  };
}

function isOnline(session: LiveSessionState, userId: string): boolean {
  return session.peers.some((peer) => peer.userId === userId);
}

function settlePresenter(session: LiveSessionState): void {
  const presenter = session.presenterUserId;
  const host = session.roster.find((entry) => entry.role === 'HOST' && isOnline(session, entry.userId));
  if (presenter && isOnline(session, presenter) && (session.presenterChosen || !host || presenter === host.userId)) return;
  // Nobody presents, the presenter left, or a stand-in meets the host who has arrived
  session.presenterUserId = host?.userId ?? session.peers[0]?.userId ?? null;
  session.presenterChosen = false;
}
