// One browser tab in a live teleconsultation: the /consult socket (join,
// presence, signaling, relay, annotations, presenter role), the WebRTC mesh,
// this participant's media, and the collaborative viewer once it is mounted.
// A small store: React reads snapshots through subscribe()/getSnapshot().
import { io, type Socket } from 'socket.io-client';
import type { AnnotationGeometry, AnnotationToolName, CollabAnnotation, CollabMessage, ImageRef, Point3, ViewerSyncState } from '../../../lib/collab/protocol';
import {
  CONSULT_EVENTS,
  CONSULT_NAMESPACE,
  type ConsultClientEvents,
  type ConsultJoinState,
  type ConsultParticipantPresence,
  type ConsultServerEvents,
  socketClientOptions,
} from '../../../lib/realtime/events';
import { openLocalMedia, resumeSound, setTracksEnabled, soundBlocked, stopStream, watchSpeaking, type LocalMediaState } from './local-media';
import { PeerMesh, type LinkInfo } from './peer-mesh';
import { AnnotationManager } from '../../_viewer/annotation-manager';
import type { ViewerEngine } from '../../_viewer/viewer-engine';

export type SessionStatus = 'connecting' | 'joined' | 'reconnecting' | 'not_found' | 'ended' | 'error';

export interface LaserMark {
  peerId: string;
  userId: string;
  color: string;
  viewportIndex: number;
  world: Point3;
}

export interface SessionSnapshot {
  status: SessionStatus;
  message: string | null;
  consultationId: string;
  userId: string;
  peerId: string | null;
  participants: ConsultParticipantPresence[];
  presenterUserId: string | null;
  following: boolean;
  links: LinkInfo[];
  annotations: CollabAnnotation[];
  presenterRequests: { userId: string; name: string }[];
  media: LocalMediaState;
  speaking: Record<string, boolean>;
  remoteStreams: Record<string, MediaStream>;
  lasers: LaserMark[];
  /** The browser keeps sound off until the person touches the page (autoplay policy) */
  soundBlocked: boolean;
  /** When the host ended the session (ISO), as the server announced it while this page was open */
  endedAt: string | null;
}

export interface LatencySample {
  kind: 'viewport' | 'annotation';
  via: 'webrtc' | 'relay';
  /** From the presenter's send to the frame on this screen */
  ms: number;
  /** Of which: from the send to the message's arrival here */
  transportMs: number;
}

const NO_MEDIA: LocalMediaState = { stream: null, audio: false, video: false, hasMicrophone: false, hasCamera: false, problem: null };
/** Viewer states that only the server needs (no peer waits for them): at most this often */
const SERVER_STATE_INTERVAL_MS = 200;
const DRAWING_INTERVAL_MS = 33;
const LASER_INTERVAL_MS = 33;

export const epochNow = () => performance.timeOrigin + performance.now();

export class ConsultSession {
  private snapshot: SessionSnapshot;
  private readonly listeners = new Set<() => void>();
  private socket: Socket<ConsultServerEvents, ConsultClientEvents> | null = null;
  private mesh: PeerMesh | null = null;
  private viewer: ViewerEngine | null = null;
  private seq = 0;
  private readonly lastSeq = new Map<string, number>();
  private lastPresenterState: { state: ViewerSyncState; sentAt?: number } | null = null;
  private pendingServerState: ViewerSyncState | null = null;
  private lastBroadcast = '';
  private serverStateTimer: ReturnType<typeof setTimeout> | undefined;
  private lastServerStateAt = 0;
  /** The session's annotations (the viewer shows them): from the server and the peers, mine once kept */
  readonly annotations: AnnotationManager;
  private readonly removed = new Set<string>();
  private readonly versions = new Map<string, number>();
  private readonly drawingSentAt = new Map<string, number>();
  private readonly drawingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private lastLaserAt = 0;
  private readonly stopSpeaking = new Map<string, () => void>();
  private readonly laserTimers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly latencies: LatencySample[] = [];
  /** How and when the presenter states being applied arrived (sentAt → arrival), for the latency figures */
  private readonly arrivals = new Map<number, { via: 'webrtc' | 'relay'; receivedAt: number }>();
  private closed = false;

  constructor(consultationId: string, userId: string) {
    this.annotations = new AnnotationManager((annotation) => annotation.authorUserId === userId);
    this.snapshot = {
      status: 'connecting',
      message: null,
      consultationId,
      userId,
      peerId: null,
      participants: [],
      presenterUserId: null,
      following: true,
      links: [],
      annotations: [],
      presenterRequests: [],
      media: NO_MEDIA,
      speaking: {},
      remoteStreams: {},
      lasers: [],
      soundBlocked: false,
      endedAt: null,
    };
  }

  // ---- store --------------------------------------------------------------

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): SessionSnapshot => this.snapshot;

  private update(patch: Partial<SessionSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch };
    for (const listener of this.listeners) listener();
  }

  // ---- lifecycle ------------------------------------------------------------

  async start(): Promise<void> {
    const media = await openLocalMedia();
    if (this.closed) return stopStream(media.stream);
    this.update({ media });
    if (media.stream) this.watchSpeaker('me', media.stream);
    const socket: Socket<ConsultServerEvents, ConsultClientEvents> = io(CONSULT_NAMESPACE, socketClientOptions());
    this.socket = socket;
    socket.on('connect', () => this.join());
    socket.on('disconnect', (reason) => {
      this.mesh?.close();
      this.mesh = null;
      if (reason === 'io server disconnect') {
        // The server let this person go (a withdrawn guest link, a disabled account): no reconnecting
        this.update({ status: 'ended', message: 'Your access to this teleconsultation has ended.' });
        this.shutdown();
        return;
      }
      if (this.snapshot.status === 'joined') this.update({ status: 'reconnecting', message: 'Connection to the server lost: reconnecting…' });
    });
    socket.on('connect_error', (error) => {
      if (this.snapshot.status === 'connecting') this.update({ message: `Cannot reach the server: ${error.message}` });
    });
    socket.on(CONSULT_EVENTS.PRESENCE, (payload) => {
      if (payload.consultationId !== this.snapshot.consultationId) return;
      this.applyPresence(payload.participants, payload.presenterUserId);
    });
    socket.on(CONSULT_EVENTS.SIGNAL, (payload) => this.mesh?.handleSignal(payload.from, payload.data));
    socket.on(CONSULT_EVENTS.RELAYED, (payload) => this.receive(payload.from, payload.userId, payload.message, 'relay'));
    socket.on(CONSULT_EVENTS.ANNOTATION_CHANGED, (payload) => this.acceptAnnotation(payload.annotation, 'relay'));
    socket.on(CONSULT_EVENTS.ANNOTATION_REMOVED, (payload) => this.forgetAnnotation(payload.uid));
    socket.on(CONSULT_EVENTS.PRESENTER_REQUESTED, (payload) => {
      if (payload.userId === this.snapshot.userId) return;
      const requests = this.snapshot.presenterRequests.filter((request) => request.userId !== payload.userId);
      this.update({ presenterRequests: [...requests, { userId: payload.userId, name: payload.name }] });
    });
    socket.on(CONSULT_EVENTS.ENDED, (payload) => {
      this.update({ status: 'ended', message: null, endedAt: payload.endedAt, presenterUserId: null, presenterRequests: [] });
      this.shutdown();
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket?.emit(CONSULT_EVENTS.LEAVE, { consultationId: this.snapshot.consultationId });
    this.shutdown();
  }

  private shutdown(): void {
    this.mesh?.close();
    this.mesh = null;
    this.socket?.close();
    clearTimeout(this.serverStateTimer);
    for (const timer of [...this.drawingTimers.values(), ...this.laserTimers.values()]) clearTimeout(timer);
    for (const stop of this.stopSpeaking.values()) stop();
    this.stopSpeaking.clear();
    stopStream(this.snapshot.media.stream);
  }

  private join(): void {
    const socket = this.socket;
    if (!socket) return;
    socket.emit(CONSULT_EVENTS.JOIN, { consultationId: this.snapshot.consultationId }, (ack) => {
      if (!ack.ok) {
        const status = ack.error === 'NOT_FOUND' ? 'not_found' : ack.error === 'ENDED' ? 'ended' : 'error';
        const message =
          ack.error === 'NOT_FOUND'
            ? 'Teleconsultation not found.'
            : ack.error === 'ENDED'
              ? 'This teleconsultation has ended.'
              : 'The teleconsultation is not available right now. Try again in a moment.';
        this.update({ status, message });
        if (status !== 'error') this.shutdown();
        return;
      }
      this.joined(ack);
    });
  }

  private joined(state: ConsultJoinState): void {
    this.mesh?.close();
    this.lastSeq.clear();
    this.mesh = new PeerMesh({
      myPeerId: state.peerId,
      iceServers: state.iceServers,
      localStream: this.snapshot.media.stream,
      sendSignal: (to, data) => this.socket?.emit(CONSULT_EVENTS.SIGNAL, { consultationId: state.consultationId, to, data }),
      onMessage: (from, message) => {
        const userId = this.userOfPeer(from);
        if (userId) this.receive(from, userId, message, 'webrtc');
      },
      onLinksChanged: (links) => this.update({ links }),
      onRemoteStream: (peerId, stream) => this.setRemoteStream(peerId, stream),
    });
    this.update({ status: 'joined', message: null, peerId: state.peerId });
    this.applyPresence(state.participants, state.presenterUserId);
    for (const annotation of state.annotations) this.acceptAnnotation(annotation, 'relay');
    if (state.viewer) this.lastPresenterState = { state: state.viewer };
    this.sendMediaState();
    void this.followIfNeeded();
  }

  // ---- presence and presenter -------------------------------------------------

  private applyPresence(participants: ConsultParticipantPresence[], presenterUserId: string | null): void {
    const becamePresenter = presenterUserId === this.snapshot.userId && this.snapshot.presenterUserId !== this.snapshot.userId;
    const presenterChanged = presenterUserId !== this.snapshot.presenterUserId;
    const requests = this.snapshot.presenterRequests.filter((request) => request.userId !== presenterUserId && participants.some((p) => p.userId === request.userId && p.online));
    this.update({ participants, presenterUserId, presenterRequests: requests, following: presenterChanged ? true : this.snapshot.following });
    const peerIds = participants.flatMap((participant) => participant.peers.map((peer) => peer.peerId));
    this.mesh?.setPeers(peerIds);
    if (becamePresenter && this.viewer) {
      this.lastBroadcast = '';
      this.broadcastViewer(this.viewer.getState());
    }
    if (presenterChanged && !becamePresenter) {
      this.lastPresenterState = null;
    }
  }

  isPresenter(): boolean {
    return this.snapshot.presenterUserId === this.snapshot.userId;
  }

  requestPresenter(): void {
    this.socket?.emit(CONSULT_EVENTS.PRESENTER_REQUEST, { consultationId: this.snapshot.consultationId }, () => undefined);
  }

  handOver(toUserId: string): Promise<string | null> {
    return new Promise((resolve) => {
      if (!this.socket) return resolve('Not connected');
      this.socket.emit(CONSULT_EVENTS.PRESENTER_HANDOVER, { consultationId: this.snapshot.consultationId, toUserId }, (ack) => {
        resolve(ack.ok ? null : (ack.message ?? ack.error));
      });
    });
  }

  dismissRequest(userId: string): void {
    this.update({ presenterRequests: this.snapshot.presenterRequests.filter((request) => request.userId !== userId) });
  }

  endSession(): Promise<string | null> {
    return new Promise((resolve) => {
      if (!this.socket) return resolve('Not connected');
      this.socket.emit(CONSULT_EVENTS.END, { consultationId: this.snapshot.consultationId }, (ack) => resolve(ack.ok ? null : (ack.message ?? ack.error)));
    });
  }

  setFollowing(following: boolean): void {
    this.update({ following });
    if (following) void this.followIfNeeded();
  }

  private async followIfNeeded(): Promise<void> {
    const latest = this.lastPresenterState;
    if (!latest || !this.viewer || this.isPresenter() || !this.snapshot.following) return;
    await this.viewer.applyState(latest.state, latest.sentAt);
  }

  // ---- the viewer ------------------------------------------------------------

  attachViewer(viewer: ViewerEngine | null): void {
    this.viewer = viewer;
    if (!viewer) return;
    viewer.showAnnotationsOf(this.annotations);
    if (this.isPresenter()) this.broadcastViewer(viewer.getState());
    else void this.followIfNeeded();
  }

  /** The viewer changed under the user's hands. */
  localViewerState(state: ViewerSyncState): void {
    if (this.isPresenter()) this.broadcastViewer(state);
  }

  localInteraction(): void {
    if (!this.isPresenter() && this.snapshot.presenterUserId && this.snapshot.following) this.update({ following: false });
  }

  private broadcastViewer(state: ViewerSyncState): void {
    // One user action often fires two viewer events (new image, then camera): send a state once
    const text = JSON.stringify(state);
    if (text === this.lastBroadcast) return;
    this.lastBroadcast = text;
    const message: CollabMessage = { type: 'viewport', seq: ++this.seq, sentAt: epochNow(), state };
    const relay = this.mesh?.send(message) ?? [];
    if (relay.length) {
      this.relay(relay, message);
      this.lastServerStateAt = performance.now();
      this.pendingServerState = null;
      return;
    }
    // Nobody needs it through the server now, but late joiners get the
    // server's copy: keep that copy fresh without a message per scroll step.
    this.pendingServerState = state;
    const wait = SERVER_STATE_INTERVAL_MS - (performance.now() - this.lastServerStateAt);
    if (wait <= 0) this.flushServerState();
    else if (!this.serverStateTimer) this.serverStateTimer = setTimeout(() => this.flushServerState(), wait);
  }

  private flushServerState(): void {
    this.serverStateTimer = undefined;
    const state = this.pendingServerState;
    if (!state || !this.isPresenter()) return;
    this.pendingServerState = null;
    this.lastServerStateAt = performance.now();
    this.relay([], { type: 'viewport', seq: ++this.seq, sentAt: epochNow(), state });
  }

  private relay(to: string[], message: CollabMessage): void {
    this.socket?.emit(CONSULT_EVENTS.RELAY, { consultationId: this.snapshot.consultationId, to, message });
  }

  private sendEphemeral(message: CollabMessage): void {
    const relay = this.mesh?.send(message) ?? [];
    if (relay.length) this.relay(relay, message);
  }

  // ---- incoming peer messages ------------------------------------------------

  private receive(peerId: string, userId: string, message: CollabMessage, via: 'webrtc' | 'relay'): void {
    if (!message || typeof message !== 'object' || typeof message.seq !== 'number') return;
    const key = `${peerId}:${message.type}`;
    if ((this.lastSeq.get(key) ?? -1) >= message.seq) return; // already had it by the other path
    this.lastSeq.set(key, message.seq);
    switch (message.type) {
      case 'viewport':
        if (userId !== this.snapshot.presenterUserId || this.isPresenter()) return;
        this.lastPresenterState = { state: message.state, sentAt: message.sentAt };
        if (this.snapshot.following && this.viewer) {
          this.arrivals.set(message.sentAt, { via, receivedAt: epochNow() });
          if (this.arrivals.size > 100) this.arrivals.delete(this.arrivals.keys().next().value!);
          void this.viewer.applyState(message.state, message.sentAt);
        }
        return;
      case 'laser':
        this.showLaser(peerId, userId, message.laser);
        return;
      case 'drawing':
        if (message.annotation.authorUserId !== userId) return;
        this.acceptAnnotation(message.annotation, via, message.sentAt);
        return;
      case 'drawing_cancelled': {
        // Only what was never kept: a kept annotation is deleted through the server
        const shown = this.annotations.get(message.uid);
        if (shown && shown.authorUserId === userId && shown.version === 0) this.forgetAnnotation(message.uid);
        return;
      }
    }
  }

  /** The viewer put a followed state on screen. */
  remoteRendered(sentAt: number): void {
    const arrival = this.arrivals.get(sentAt);
    if (!arrival) return;
    this.arrivals.clear();
    this.recordLatency({ kind: 'viewport', via: arrival.via, ms: epochNow() - sentAt, transportMs: arrival.receivedAt - sentAt });
  }

  private recordLatency(sample: LatencySample): void {
    this.latencies.push(sample);
    if (this.latencies.length > 5000) this.latencies.splice(0, this.latencies.length - 5000);
  }

  // ---- annotations ------------------------------------------------------------

  private acceptAnnotation(annotation: CollabAnnotation, via: 'webrtc' | 'relay', sentAt?: number): void {
    if (this.removed.has(annotation.uid)) return;
    const known = this.versions.get(annotation.uid) ?? -1;
    if (annotation.version < known) return;
    this.versions.set(annotation.uid, annotation.version);
    const mine = annotation.authorUserId === this.snapshot.userId;
    // Mine are on my screen already (drawn here); the others' are shown by the viewer from the manager
    this.annotations.upsert(annotation, mine ? 'viewer' : 'outside');
    if (!mine && this.viewer) {
      if (sentAt !== undefined) {
        const transportMs = epochNow() - sentAt;
        requestAnimationFrame(() => this.recordLatency({ kind: 'annotation', via, ms: epochNow() - sentAt, transportMs }));
      }
    }
    // The list shows kept annotations only: a new one's drawing updates (version 0) leave it as it is
    if (annotation.version > 0) this.publishAnnotations();
  }

  private forgetAnnotation(uid: string): void {
    this.removed.add(uid);
    this.annotations.remove(uid, 'outside');
    this.publishAnnotations();
  }

  private publishAnnotations(): void {
    const list = this.annotations.all().filter((annotation) => annotation.version > 0).sort((a, b) => a.updatedAt.localeCompare(b.updatedAt) || a.uid.localeCompare(b.uid));
    this.update({ annotations: list });
  }

  private me(): ConsultParticipantPresence | undefined {
    return this.snapshot.participants.find((participant) => participant.userId === this.snapshot.userId);
  }

  /** My annotation while it is drawn or dragged: to the peers only, about 30 times a second,
   *  the last position always (a trailing send), so that the others end where the hand stopped. */
  localDrawing(uid: string, tool: AnnotationToolName, ref: ImageRef, geometry: AnnotationGeometry): void {
    const wait = DRAWING_INTERVAL_MS - (performance.now() - (this.drawingSentAt.get(uid) ?? 0));
    clearTimeout(this.drawingTimers.get(uid));
    const send = () => {
      this.drawingTimers.delete(uid);
      this.drawingSentAt.set(uid, performance.now());
      if (this.removed.has(uid)) return;
      const me = this.me();
      const annotation: CollabAnnotation = {
        ...geometry,
        uid,
        tool,
        ref,
        authorUserId: this.snapshot.userId,
        authorName: me?.name ?? '',
        color: me?.color ?? '#ffffff',
        version: this.versions.get(uid) ?? 0,
        updatedAt: new Date().toISOString(),
      };
      this.sendEphemeral({ type: 'drawing', seq: ++this.seq, sentAt: epochNow(), annotation });
    };
    if (wait <= 0) send();
    else this.drawingTimers.set(uid, setTimeout(send, wait));
  }

  /** My annotation is finished or an edit settled: the server persists it and tells everyone. */
  localCommit(uid: string, tool: AnnotationToolName, ref: ImageRef, geometry: AnnotationGeometry): void {
    const version = (this.versions.get(uid) ?? 0) + 1;
    this.versions.set(uid, version);
    this.socket?.emit(CONSULT_EVENTS.ANNOTATION_UPSERT, { consultationId: this.snapshot.consultationId, annotation: { ...geometry, uid, tool, ref, version } }, (ack) => {
      if (ack.ok) {
        this.annotations.upsert(ack.annotation, 'viewer');
        this.versions.set(uid, Math.max(ack.annotation.version, this.versions.get(uid) ?? 0));
        this.publishAnnotations();
      } else {
        this.update({ message: `The annotation could not be saved: ${ack.message ?? ack.error}` });
      }
    });
  }

  /** I deleted an annotation (mine, or any as the host). */
  localRemoved(uid: string): void {
    const kept = this.versions.has(uid);
    this.removed.add(uid);
    this.annotations.remove(uid, 'viewer');
    this.publishAnnotations();
    clearTimeout(this.drawingTimers.get(uid));
    if (!kept) {
      // Given up while drawn: the server never had it, the peers saw it being drawn
      this.sendEphemeral({ type: 'drawing_cancelled', seq: ++this.seq, sentAt: epochNow(), uid });
      return;
    }
    this.socket?.emit(CONSULT_EVENTS.ANNOTATION_REMOVE, { consultationId: this.snapshot.consultationId, uid }, (ack) => {
      if (!ack.ok && ack.error !== 'NOT_FOUND') this.update({ message: `The annotation could not be deleted: ${ack.message ?? ack.error}` });
    });
  }

  /** Shows the image an annotation is on (a click in the list). */
  jumpTo(ref: ImageRef): void {
    this.localInteraction();
    void this.viewer?.jumpTo(ref);
  }

  deleteAnnotation(uid: string): void {
    this.annotations.remove(uid, 'outside');
    this.localRemoved(uid);
  }

  // ---- laser -----------------------------------------------------------------

  localLaser(laser: { viewportIndex: number; world: Point3 } | null): void {
    const now = performance.now();
    if (laser && now - this.lastLaserAt < LASER_INTERVAL_MS) return;
    this.lastLaserAt = now;
    this.sendEphemeral({ type: 'laser', seq: ++this.seq, sentAt: epochNow(), laser });
    if (this.snapshot.peerId) this.showLaser(this.snapshot.peerId, this.snapshot.userId, laser);
  }

  private showLaser(peerId: string, userId: string, laser: { viewportIndex: number; world: Point3 } | null): void {
    const others = this.snapshot.lasers.filter((mark) => mark.peerId !== peerId);
    clearTimeout(this.laserTimers.get(peerId));
    if (!laser) return this.update({ lasers: others });
    const color = this.snapshot.participants.find((participant) => participant.userId === userId)?.color ?? '#ef4444';
    this.update({ lasers: [...others, { peerId, userId, color, viewportIndex: laser.viewportIndex, world: laser.world }] });
    // A pointer that stops moving fades after a few seconds
    this.laserTimers.set(peerId, setTimeout(() => this.update({ lasers: this.snapshot.lasers.filter((mark) => mark.peerId !== peerId) }), 4000));
  }

  // ---- media -------------------------------------------------------------------

  setMicrophone(on: boolean): void {
    setTracksEnabled(this.snapshot.media.stream, 'audio', on);
    this.update({ media: { ...this.snapshot.media, audio: on && this.snapshot.media.hasMicrophone } });
    this.sendMediaState();
  }

  setCamera(on: boolean): void {
    setTracksEnabled(this.snapshot.media.stream, 'video', on);
    this.update({ media: { ...this.snapshot.media, video: on && this.snapshot.media.hasCamera } });
    this.sendMediaState();
  }

  async switchDevices(preferred: { microphoneId?: string; cameraId?: string }): Promise<void> {
    const previous = this.snapshot.media;
    const next = await openLocalMedia(preferred);
    if (!next.stream) {
      this.update({ message: next.problem });
      return;
    }
    setTracksEnabled(next.stream, 'audio', previous.audio || !previous.hasMicrophone);
    setTracksEnabled(next.stream, 'video', previous.video || !previous.hasCamera);
    this.mesh?.replaceStream(next.stream);
    this.stopSpeaking.get('me')?.();
    this.watchSpeaker('me', next.stream);
    stopStream(previous.stream);
    this.update({ media: { ...next, audio: next.hasMicrophone && (previous.audio || !previous.hasMicrophone), video: next.hasCamera && (previous.video || !previous.hasCamera) } });
    this.sendMediaState();
  }

  private sendMediaState(): void {
    const { audio, video } = this.snapshot.media;
    this.socket?.emit(CONSULT_EVENTS.MEDIA_STATE, { consultationId: this.snapshot.consultationId, audio, video });
  }

  /** After a click or key press: the others' voices and the speaking indicators start. */
  async enableSound(): Promise<void> {
    await resumeSound();
    if (this.snapshot.soundBlocked !== soundBlocked()) this.update({ soundBlocked: soundBlocked() });
  }

  private setRemoteStream(peerId: string, stream: MediaStream | null): void {
    const streams = { ...this.snapshot.remoteStreams };
    this.stopSpeaking.get(peerId)?.();
    this.stopSpeaking.delete(peerId);
    if (stream) {
      streams[peerId] = stream;
      this.watchSpeaker(peerId, stream);
    } else {
      delete streams[peerId];
    }
    this.update({ remoteStreams: streams, soundBlocked: Object.keys(streams).length > 0 && soundBlocked() });
  }

  private watchSpeaker(key: string, stream: MediaStream): void {
    this.stopSpeaking.set(
      key,
      watchSpeaking(stream, (speaking) => this.update({ speaking: { ...this.snapshot.speaking, [key]: speaking } })),
    );
  }

  private userOfPeer(peerId: string): string | undefined {
    return this.snapshot.participants.find((participant) => participant.peers.some((peer) => peer.peerId === peerId))?.userId;
  }
}
