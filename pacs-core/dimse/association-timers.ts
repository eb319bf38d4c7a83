// The clocks of one DIMSE connection, so that no socket stays open for
// nothing (a silent socket, a half-sent A-ASSOCIATE-RQ, a silent association):
//
// - ARTIM (PS3.8 9.1.5): from the transport connection until we accept the
//   association. A peer that has not sent a whole A-ASSOCIATE-RQ by then is
//   closed; a deadline, not an inactivity timer, so a request trickled one
//   byte at a time cannot hold the socket either.
// - Idle: once accepted, an association with no traffic either way for
//   idleMs (reads and writes both re-arm Node's socket timeout; Node also
//   holds it back while a write is still draining) gets an A-ABORT — unless
//   an operation is still running (a C-MOVE whose sub-operations go to
//   another AE over another association sends nothing here for a while).
// - Closing: after A-ASSOCIATE-RJ, A-RELEASE-RP or A-ABORT the peer closes
//   the connection; one that does not is closed after CLOSE_GRACE_MS (ARTIM
//   again, PS3.8 9.2.2 states Sta13).
import type { Socket } from 'node:net';

/** How long a peer has to close the connection after the association ended. */
export const CLOSE_GRACE_MS = 1_000;

export interface AssociationTimerLimits {
  artimMs: number;
  idleMs: number;
}

export interface AssociationTimerHooks {
  /** No association accepted within ARTIM: the connection is about to be destroyed */
  artimExpired(): void;
  /** The association was idle: send A-ABORT; the connection closes CLOSE_GRACE_MS later */
  idle(): void;
  /** An operation is still running: idleness is not a reason to abort */
  isBusy(): boolean;
}

export class AssociationTimers {
  private artim: NodeJS.Timeout | undefined;
  private closer: NodeJS.Timeout | undefined;
  private readonly onSocketTimeout = () => this.checkIdle();

  constructor(
    private readonly socket: Socket,
    private readonly limits: AssociationTimerLimits,
    private readonly hooks: AssociationTimerHooks,
  ) {
    this.artim = setTimeout(() => {
      this.artim = undefined;
      this.hooks.artimExpired();
      this.socket.destroy();
    }, limits.artimMs).unref();
    socket.once('close', () => this.stop());
  }

  /** A-ASSOCIATE-AC sent: ARTIM stops, the idle clock starts. */
  established(): void {
    this.clearArtim();
    this.socket.on('timeout', this.onSocketTimeout);
    this.socket.setTimeout(this.limits.idleMs);
  }

  /** The association ended (RJ, RP or A-ABORT sent): the peer should close now. */
  closing(): void {
    this.clearArtim();
    this.stopIdle();
    this.closer ??= setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  stop(): void {
    this.clearArtim();
    this.stopIdle();
    if (this.closer) clearTimeout(this.closer);
  }

  private checkIdle(): void {
    // Node fires 'timeout' once; re-arm while an operation keeps the association busy
    if (this.hooks.isBusy()) return void this.socket.setTimeout(this.limits.idleMs);
    this.hooks.idle();
    this.closing();
  }

  private clearArtim(): void {
    if (this.artim) clearTimeout(this.artim);
    this.artim = undefined;
  }

  private stopIdle(): void {
    this.socket.setTimeout(0);
    this.socket.off('timeout', this.onSocketTimeout);
  }
}
