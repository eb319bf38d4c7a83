// The DIMSE listener: one TelepacsScp per TCP connection, any number at once.
// We own the net.Server (rather than dcmjs-dimse's Server) to know the bound
// port, turn Nagle off, and close cleanly: stop listening, drop connections,
// then wait for in-flight ingests and audits before the database goes away.
// With DICOM TLS a second listener (tls.Server) on its own port hands each
// connection, once its handshake is done, to the same serveConnection.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import type { Archive } from '../archive';
import { configureDcmjsDimse } from './dcmjs-dimse';
import { TelepacsScp } from './scp';
import { tlsServerOptions } from './tls';
import type { DimseServer, DimseServerOptions } from './types';

export async function startDimseServer(archive: Archive, options: DimseServerOptions): Promise<DimseServer> {
  configureDcmjsDimse();
  const logger = options.logger ?? archive.logger;
  const sockets = new Set<net.Socket>();
  const inFlight = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    const settled = work.catch(() => undefined).finally(() => inFlight.delete(settled));
    inFlight.add(settled);
  };

  /** One association's connection, plain or TLS (a TLSSocket is a net.Socket): the same checks and services on both ports. */
  const serveConnection = (socket: net.Socket) => {
    // Every C-STORE waits for its response: Nagle plus delayed ACK would add ~40 ms each
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    new TelepacsScp(socket, { archive, options, logger, track });
  };

  const server = net.createServer(serveConnection);
  server.on('error', (error) => logger.error('DIMSE server error', { error: error.message }));
  const port = await listen(server, options.port);
  logger.info('DIMSE listening', { port, aet: options.aet });

  let tlsServer: tls.Server | undefined;
  let tlsPort: number | undefined;
  if (options.tls) {
    tlsServer = tls.createServer(tlsServerOptions(options.tls.credentials), serveConnection);
    // Connections still in their handshake are closed with the others on close()
    tlsServer.on('connection', (raw: net.Socket) => {
      sockets.add(raw);
      raw.once('close', () => sockets.delete(raw));
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
