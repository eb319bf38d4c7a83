// How many DIMSE connections may be open at once, in total and per source
// address. Every connection holds a file descriptor and some memory; without
// a cap, anyone who reaches the DICOM port could open them by the thousand
// and starve the HTTP side (and the database, and the store) of descriptors.
//
// A connection over a cap is refused the way PS3.8 provides for it: the
// A-ASSOCIATE-RQ is answered with A-ASSOCIATE-RJ rejected-transient, source
// "DICOM UL service-provider (presentation related function)", reason
// "local-limit-exceeded" (PS3.8 9.3.4, Table 9-21), so a well-behaved peer
// knows to retry later. Refused sockets must not pile up in their turn: each
// is closed after at most REFUSAL_WINDOW_MS, and past MAX_REFUSING at once
// the rest are dropped without an answer.
import type { Socket } from 'node:net';
import type { Logger } from '../logger';

export interface DimseConnectionLimits {
  /** PS3.8 9.1.5 ARTIM: from connect until the association is accepted, ms */
  artimMs: number;
  /** An accepted association with no PDU either way for this long is aborted, ms */
  idleMs: number;
  /** Connections open at once, all addresses together */
  maxConnections: number;
  /** Connections open at once from one source address */
  maxConnectionsPerAddress: number;
}

/** Room for a peer to send its A-ASSOCIATE-RQ and read our A-ASSOCIATE-RJ. */
const REFUSAL_WINDOW_MS = 2_000;
/** Sockets being refused at once; beyond this they are closed without an answer. */
const MAX_REFUSING = 64;
const LOG_EVERY_MS = 10_000;

// PS3.8 Table 9-21
const REJECTED_TRANSIENT = 2;
const SOURCE_SERVICE_PROVIDER_PRESENTATION = 3;
const REASON_LOCAL_LIMIT_EXCEEDED = 2;

/** A-ASSOCIATE-RJ PDU (PS3.8 9.3.4): type 03, reserved, length 4, reserved, result, source, reason. */
export function associateRejectPdu(result: number, source: number, reason: number): Buffer {
  return Buffer.from([0x03, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, result, source, reason]);
}

/** A-ABORT PDU (PS3.8 9.3.8): type 07, reserved, length 4, two reserved, source, reason. */
export function abortPdu(source: number, reason: number): Buffer {
  return Buffer.from([0x07, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, source, reason]);
}

export class ConnectionLimiter {
  private total = 0;
  private readonly perAddress = new Map<string, number>();
  private refusing = 0;
  /** A flood must not flood the log as well: one line per LOG_EVERY_MS with a count */
  private lastLogAt = 0;
  private unlogged = 0;

  constructor(
    private readonly limits: Pick<DimseConnectionLimits, 'maxConnections' | 'maxConnectionsPerAddress'>,
    private readonly logger: Logger,
  ) {}

  get openConnections(): number {
    return this.total;
  }

  /**
   * Counts the connection in (until it closes) and returns true, or refuses
   * it and returns false: with A-ASSOCIATE-RJ transient, then closed
   * ('associate-rj'), or closed at once where no DICOM can be spoken yet
   * ('close': a TLS connection before its handshake).
   * `address` is the normalized source address.
   */
  admit(socket: Socket, address: string, refusal: 'associate-rj' | 'close' = 'associate-rj'): boolean {
    const fromAddress = this.perAddress.get(address) ?? 0;
    const limit: Record<string, number> | undefined =
      this.total >= this.limits.maxConnections
        ? { maxConnections: this.limits.maxConnections }
        : fromAddress >= this.limits.maxConnectionsPerAddress
          ? { maxConnectionsPerAddress: this.limits.maxConnectionsPerAddress }
          : undefined;
    if (limit) {
      if (refusal === 'close') {
        this.logRefusal(address, limit);
        socket.destroy();
      } else this.refuse(socket, address, limit);
      return false;
    }
    this.total += 1;
    this.perAddress.set(address, fromAddress + 1);
    socket.once('close', () => {
      this.total -= 1;
      const left = (this.perAddress.get(address) ?? 1) - 1;
      if (left > 0) this.perAddress.set(address, left);
      else this.perAddress.delete(address);
    });
    return true;
  }

  private refuse(socket: Socket, address: string, limit: Record<string, number>): void {
    socket.on('error', () => socket.destroy());
    this.logRefusal(address, limit);
    if (this.refusing >= MAX_REFUSING) {
      socket.destroy();
      return;
    }
    this.refusing += 1;
    const deadline = setTimeout(() => socket.destroy(), REFUSAL_WINDOW_MS).unref();
    socket.once('close', () => {
      clearTimeout(deadline);
      this.refusing -= 1;
    });
    // Answer once the request starts to arrive, then read (and drop) the rest
    // so that our close is a FIN after the answer, not a reset that could discard it.
    socket.once('data', () => socket.end(associateRejectPdu(REJECTED_TRANSIENT, SOURCE_SERVICE_PROVIDER_PRESENTATION, REASON_LOCAL_LIMIT_EXCEEDED)));
    socket.on('data', () => {});
  }

  private logRefusal(address: string, limit: Record<string, number>): void {
    const now = Date.now();
    if (now - this.lastLogAt < LOG_EVERY_MS) {
      this.unlogged += 1;
      return;
    }
    this.logger.warn('DIMSE connection refused: connection limit reached', { remoteAddress: address, ...limit, openConnections: this.total, refusedSinceLastLine: this.unlogged });
    this.lastLogAt = now;
    this.unlogged = 0;
  }
}
