// The DIMSE listeners: one TelepacsScp per connection, within the connection
// limits (connection-limits.ts) and clocks (association-timers.ts).
// We own the net.Server (rather than dcmjs-dimse's Server) to know the bound
// port, turn Nagle off, and close cleanly: stop listening, drop connections,
// then wait for in-flight ingests and audits before the database goes away.
// With DICOM TLS a second listener (tls.Server) on its own port counts each
// TCP connection against the same limits as it arrives, and hands it, once
// its handshake is done, to the same serveConnection.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import type { Archive } from '../archive';
import { configureDcmjsDimse } from './dcmjs-dimse';
import { ConnectionLimiter, type DimseConnectionLimits } from './connection-limits';
import { readProxyHeader, type ProxyHeaderError } from './proxy-protocol';
import { TelepacsScp } from './scp';
import { tlsServerOptions } from './tls';
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

  /**
   * Counts a new TCP connection in (closed with the others on close()), or
   * refuses it over a limit: with an A-ASSOCIATE-RJ where we can speak DICOM
   * on it (the plain port), by closing it where we cannot (a TLS handshake).
   */
  const admit = (socket: net.Socket, refusal: 'associate-rj' | 'close', address = socket.remoteAddress ?? ''): boolean => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    return limiter.admit(socket, normalizeAddress(address), refusal);
  };

  /** One admitted association's connection, plain or TLS (a TLSSocket is a net.Socket). */
  const serveConnection = (socket: net.Socket, facts: ConnectionFacts) => {
    // Every C-STORE waits for its response: Nagle plus delayed ACK would add ~40 ms each
    socket.setNoDelay(true);
    new TelepacsScp(socket, facts, { archive, options, logger, track, limits });
  };

  const proxies = new Set(options.proxyProtocolFrom ?? []);
  const server = net.createServer((socket) => {
    // Reset before we saw it (a balancer's health check connects and resets at once): no peer left to answer
    if (socket.remoteAddress === undefined) return void socket.destroy();
    const from = socket.remoteAddress;
    if (!proxies.has(normalizeAddress(from))) {
      if (admit(socket, 'associate-rj')) serveConnection(socket, { remoteAddress: from });
      return;
    }
    // A balancer's connection: the modality's address comes first, in a PROXY header
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    readProxyHeader(socket, limits.artimMs).then(
      ({ sourceAddress }) => {
        // LOCAL (or UNKNOWN): the balancer's own connection, its health check, which sends no association
        if (sourceAddress === undefined) return void socket.destroy();
        if (admit(socket, 'associate-rj', sourceAddress)) serveConnection(socket, { remoteAddress: sourceAddress });
        socket.resume();
      },
      (error: ProxyHeaderError) => {
        // A connection closed before its first byte is the balancer's health check
        if (!error.silent) logger.warn('DIMSE connection from a balancer closed: no valid PROXY header', { balancer: from, error: error.message });
        socket.destroy();
      },
    );
  });
  server.on('error', (error) => logger.error('DIMSE server error', { error: error.message }));
  const port = await listen(server, options.port);
  logger.info('DIMSE listening', { port, aet: options.aet, ...limits });

  let tlsServer: tls.Server | undefined;
  let tlsPort: number | undefined;
  if (options.tls) {
    tlsServer = tls.createServer(tlsServerOptions(options.tls.credentials), (socket) => serveConnection(socket, { remoteAddress: socket.remoteAddress ?? '' }));
    // Counted before the handshake: a flood of unfinished handshakes is bounded like idle plain sockets
    tlsServer.on('connection', (raw: net.Socket) => {
      admit(raw, 'close');
    });
    // A failed handshake (no common version or suite, a certificate the client refuses) ends that connection only
    tlsServer.on('tlsClientError', (error, socket) => {
      logger.warn('DICOM TLS handshake failed', { remoteAddress: socket.remoteAddress, error: error.message });
    });
    tlsServer.on('error', (error) => logger.error('DICOM TLS server error', { error: error.message }));
    try {
      tlsPort = await listen(tlsServer, options.tls.port);
    } catch (error) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      throw error;
    }
    logger.info('DICOM TLS listening', { port: tlsPort, aet: options.aet });
  }

  return {
    port,
    tlsPort,
    get openConnections() {
      return limiter.openConnections;
    },
    async close() {
      const closed = [server, tlsServer].map((listener) => listener && new Promise<void>((resolve) => listener.close(() => resolve())));
      for (const socket of sockets) socket.destroy();
      await Promise.all(closed);
      while (inFlight.size) await Promise.all([...inFlight]);
    },
  };
}

async function listen(server: net.Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/** One key per source address: an IPv4 client of a dual-stack listener shows as ::ffff:a.b.c.d. */
function normalizeAddress(address: string): string {
  return address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '').toLowerCase();
}
