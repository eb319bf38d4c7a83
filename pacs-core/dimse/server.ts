// The DIMSE listener: one TelepacsScp per TCP connection, within the
// connection limits (connection-limits.ts) and clocks (association-timers.ts).
// We own the net.Server (rather than dcmjs-dimse's Server) to know the bound
// port, turn Nagle off, and close cleanly: stop listening, drop connections,
// then wait for in-flight ingests and audits before the database goes away.
// Every listener (plain TCP here; a TLS one can be added) hands its sockets to
// the one handleConnection, so limits and policy apply to all of them.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Archive } from '../archive';
import { configureDcmjsDimse } from './dcmjs-dimse';
import { ConnectionLimiter, type DimseConnectionLimits } from './connection-limits';
import { TelepacsScp } from './scp';
import type { ConnectionFacts, DimseServer, DimseServerOptions } from './types';

/**
 * Defaults (overridden by DICOM_ARTIM_SECONDS, DICOM_IDLE_SECONDS,
 * DICOM_MAX_ASSOCIATIONS, DICOM_MAX_ASSOCIATIONS_PER_ADDRESS; README).
 */
export const DEFAULT_CONNECTION_LIMITS: DimseConnectionLimits = {
  artimMs: 30_000,
  idleMs: 300_000,
  maxConnections: 200,
  maxConnectionsPerAddress: 20,
};

export async function startDimseServer(archive: Archive, options: DimseServerOptions): Promise<DimseServer> {
  configureDcmjsDimse();
  const logger = options.logger ?? archive.logger;
  const limits = { ...DEFAULT_CONNECTION_LIMITS, ...options.limits };
  const limiter = new ConnectionLimiter(limits, logger);
  const sockets = new Set<net.Socket>();
  const inFlight = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    const settled = work.catch(() => undefined).finally(() => inFlight.delete(settled));
    inFlight.add(settled);
  };

  /** One accepted connection, from any listener: counted, timed, then served. */
  const handleConnection = (socket: net.Socket, facts: ConnectionFacts) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    if (!limiter.admit(socket, normalizeAddress(facts.remoteAddress))) return;
    // Every C-STORE waits for its response: Nagle plus delayed ACK would add ~40 ms each
    socket.setNoDelay(true);
    new TelepacsScp(socket, facts, { archive, options, logger, track, limits });
  };

  const server = net.createServer((socket) => handleConnection(socket, { remoteAddress: socket.remoteAddress ?? '' }));
  server.on('error', (error) => logger.error('DIMSE server error', { error: error.message }));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  logger.info('DIMSE listening', { port, aet: options.aet, ...limits });

  return {
    port,
    get openConnections() {
      return limiter.openConnections;
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      while (inFlight.size) await Promise.all([...inFlight]);
    },
  };
}

/** One key per source address: an IPv4 client of a dual-stack listener shows as ::ffff:a.b.c.d. */
function normalizeAddress(address: string): string {
  return address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '').toLowerCase();
}
