// The WebRTC mesh of a teleconsultation: one simple-peer connection per other
// tab in the session (audio/video + a data channel for the viewer sync),
// signaled through the /consult namespace.
//
// Who calls whom: the tab with the smaller peer id initiates, so two tabs
// that learn of each other at the same time never both offer (glare).
// A peer without an open data channel — still connecting, failed, or WebRTC
// blocked by a hospital firewall — is reported to the caller of send(), which
// relays the message through the server instead: the session keeps working,
// and the link shows "relayed" to the user.
import SimplePeer from 'simple-peer';
import type { CollabMessage, IceServer } from '../../../lib/collab/protocol';
import { MAX_COLLAB_MESSAGE_BYTES } from '../../../lib/collab/protocol';

export type LinkState = 'connecting' | 'direct' | 'relay';

export interface LinkInfo {
  peerId: string;
  state: LinkState;
  /** Why it is relayed, in words */
  reason?: string;
  /** Round-trip time of the selected ICE candidate pair, ms */
  rttMs?: number;
  /** 'host' (same network), 'srflx' (through NAT, via STUN), 'relay' (through the TURN server) */
  route?: string;
}

export interface PeerMeshOptions {
  myPeerId: string;
  iceServers: IceServer[];
  localStream: MediaStream | null;
  sendSignal(to: string, data: unknown): void;
  onMessage(from: string, message: CollabMessage): void;
  onLinksChanged(links: LinkInfo[]): void;
  onRemoteStream(peerId: string, stream: MediaStream | null): void;
}

/** Time a connection may take before its messages go through the server (ICE through TURN can be slow). */
const CONNECT_TIMEOUT_MS = 10_000;
/** After a failure, try WebRTC again this much later (a network change may have fixed it). */
const RETRY_AFTER_MS = 30_000;
const STATS_INTERVAL_MS = 2_000;

interface Link {
  peerId: string;
  peer: SimplePeer.Instance | null;
  info: LinkInfo;
  timer?: ReturnType<typeof setTimeout>;
}

export class PeerMesh {
  private readonly links = new Map<string, Link>();
  private statsTimer: ReturnType<typeof setInterval> | undefined;
  private closed = false;
  private readonly webrtcAvailable: boolean;

  constructor(private readonly options: PeerMeshOptions) {
    this.webrtcAvailable = typeof RTCPeerConnection === 'function' && SimplePeer.WEBRTC_SUPPORT;
    this.statsTimer = setInterval(() => void this.collectStats(), STATS_INTERVAL_MS);
  }

  /** The other tabs now in the session: connect to new ones, drop the ones that left. */
  setPeers(peerIds: string[]): void {
    const wanted = new Set(peerIds.filter((id) => id !== this.options.myPeerId));
    for (const [peerId, link] of this.links) {
      if (!wanted.has(peerId)) {
        this.drop(link);
        this.links.delete(peerId);
      }
    }
    for (const peerId of wanted) {
      if (!this.links.has(peerId)) this.open(peerId, this.options.myPeerId < peerId);
    }
    this.emitLinks();
  }

  handleSignal(from: string, data: unknown): void {
    if (this.closed || !this.webrtcAvailable) return;
    let link = this.links.get(from);
    if (!link) {
      // A new tab called before its presence reached us
      this.open(from, false);
      link = this.links.get(from)!;
    } else if (!link.peer) {
      // We had given up (relay) but the other side tries again: answer it
      this.connect(link, false);
    }
    try {
      link.peer?.signal(data as SimplePeer.SignalData);
    } catch (error) {
      this.fail(link, `signaling failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /**
   * Sends to every peer with an open data channel; returns the peers that
   * need the message relayed through the server.
   */
  send(message: CollabMessage): string[] {
    const relay: string[] = [];
    const text = JSON.stringify(message);
    if (text.length > MAX_COLLAB_MESSAGE_BYTES) return [];
    for (const link of this.links.values()) {
      if (link.info.state === 'direct' && link.peer?.connected) {
        try {
          link.peer.send(text);
          continue;
        } catch {
          // the channel closed under us: relay this one, the close event will follow
        }
      }
      relay.push(link.peerId);
    }
    return relay;
  }

  /** A new camera/microphone (device switch): replace the tracks on every connection. */
  replaceStream(stream: MediaStream | null): void {
    const previous = this.options.localStream;
    this.options.localStream = stream;
    for (const link of this.links.values()) {
      const peer = link.peer;
      if (!peer || link.info.state !== 'direct') continue;
      try {
        if (previous && stream) {
          for (const kind of ['audio', 'video'] as const) {
            const oldTrack = previous.getTracks().find((track) => track.kind === kind);
            const newTrack = stream.getTracks().find((track) => track.kind === kind);
            if (oldTrack && newTrack) peer.replaceTrack(oldTrack, newTrack, previous);
          }
        } else if (stream) {
          peer.addStream(stream);
        }
      } catch (error) {
        console.warn('telepacs: could not switch the media device on a connection', error);
      }
    }
  }

  linkInfos(): LinkInfo[] {
    return [...this.links.values()].map((link) => ({ ...link.info }));
  }

  close(): void {
    this.closed = true;
    clearInterval(this.statsTimer);
    for (const link of this.links.values()) this.drop(link);
    this.links.clear();
  }

  // ---- internals ----------------------------------------------------------

  private open(peerId: string, initiator: boolean): void {
    const link: Link = { peerId, peer: null, info: { peerId, state: 'connecting' } };
    this.links.set(peerId, link);
    if (!this.webrtcAvailable) {
      link.info = { peerId, state: 'relay', reason: 'WebRTC is not available in this browser' };
      return;
    }
    this.connect(link, initiator);
  }

  private connect(link: Link, initiator: boolean): void {
    clearTimeout(link.timer);
    const peer = new SimplePeer({
      initiator,
      trickle: true,
      config: { iceServers: this.options.iceServers as RTCIceServer[] },
      stream: this.options.localStream ?? undefined,
      channelName: 'telepacs-collab',
    });
    link.peer = peer;
    link.info = { peerId: link.peerId, state: 'connecting' };
    link.timer = setTimeout(() => {
      if (link.peer === peer && link.info.state === 'connecting') this.fail(link, 'no direct connection within 10 s (firewall or NAT: configure a TURN server)');
    }, CONNECT_TIMEOUT_MS);
    peer.on('signal', (data) => this.options.sendSignal(link.peerId, data));
    peer.on('connect', () => {
      if (link.peer !== peer) return;
      clearTimeout(link.timer);
      link.info = { peerId: link.peerId, state: 'direct' };
      this.emitLinks();
      void this.collectStats();
    });
    peer.on('data', (data: Uint8Array | string) => {
      const text = typeof data === 'string' ? data : new TextDecoder().decode(data);
      let message: CollabMessage;
      try {
        message = JSON.parse(text) as CollabMessage;
      } catch {
        return;
      }
      this.options.onMessage(link.peerId, message);
    });
    peer.on('stream', (stream: MediaStream) => this.options.onRemoteStream(link.peerId, stream));
    peer.on('close', () => {
      if (link.peer !== peer) return;
      this.options.onRemoteStream(link.peerId, null);
      if (!this.closed && this.links.get(link.peerId) === link) this.fail(link, 'the direct connection closed');
    });
    peer.on('error', (error: Error) => {
      if (link.peer !== peer) return;
      this.fail(link, `WebRTC error: ${error.message}`);
    });
    this.emitLinks();
  }

  private fail(link: Link, reason: string): void {
    if (this.closed) return;
    const peer = link.peer;
    link.peer = null;
    clearTimeout(link.timer);
    if (peer) destroyPeer(peer);
    // Tracks can arrive before ICE connects: without a connection they never play
    this.options.onRemoteStream(link.peerId, null);
    link.info = { peerId: link.peerId, state: 'relay', reason };
    this.emitLinks();
    // Try again later; the initiator side decides, the other answers its signals
    if (this.options.myPeerId < link.peerId) {
      link.timer = setTimeout(() => {
        if (!this.closed && this.links.get(link.peerId) === link && !link.peer) this.connect(link, true);
      }, RETRY_AFTER_MS);
    }
  }

  private drop(link: Link): void {
    clearTimeout(link.timer);
    if (link.peer) destroyPeer(link.peer);
    link.peer = null;
    this.options.onRemoteStream(link.peerId, null);
  }

  private emitLinks(): void {
    if (!this.closed) this.options.onLinksChanged(this.linkInfos());
  }

  /** Round-trip time and route of each direct connection, from the selected ICE candidate pair. */
  private async collectStats(): Promise<void> {
    let changed = false;
    for (const link of this.links.values()) {
      const pc = (link.peer as unknown as { _pc?: RTCPeerConnection } | null)?._pc;
      if (!pc || link.info.state !== 'direct') continue;
      try {
        const report = await pc.getStats();
        let pair: (RTCIceCandidatePairStats & { selected?: boolean }) | undefined;
        report.forEach((entry: RTCStats) => {
          const candidate = entry as RTCIceCandidatePairStats & { selected?: boolean };
          if (entry.type === 'candidate-pair' && (candidate.nominated || candidate.selected) && candidate.state === 'succeeded') pair = candidate;
        });
        if (!pair) continue;
        const local = report.get(pair.localCandidateId) as { candidateType?: string } | undefined;
        const rttMs = pair.currentRoundTripTime !== undefined ? Math.round(pair.currentRoundTripTime * 1000) : undefined;
        if (rttMs !== link.info.rttMs || local?.candidateType !== link.info.route) {
          link.info = { ...link.info, rttMs, route: local?.candidateType };
          changed = true;
        }
      } catch {
        // a closing connection: the next round will know
      }
    }
    if (changed) this.emitLinks();
  }
}

/** Closes a connection without its last events reaching us (a late 'error' would otherwise be unhandled). */
function destroyPeer(peer: SimplePeer.Instance): void {
  peer.removeAllListeners();
  peer.on('error', () => undefined);
  peer.destroy();
}
