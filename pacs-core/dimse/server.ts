// The DIMSE listener: one TelepacsScp per TCP connection, any number at once.
// We own the net.Server (rather than dcmjs-dimse's Server) to know the bound
// port, turn Nagle off, and close cleanly: stop listening, drop connections,
// then wait for in-flight ingests and audits before the database goes away.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Archive } from '../archive';
import { configureDcmjsDimse } from './dcmjs-dimse';
import { TelepacsScp } from './scp';
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

  const server = net.createServer((socket) => {
    // Every C-STORE waits for its response: Nagle plus delayed ACK would add ~40 ms each
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    new TelepacsScp(socket, { archive, options, logger, track });
  });
  server.on('error', (error) => logger.error('DIMSE server error', { error: error.message }));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  logger.info('DIMSE listening', { port, aet: options.aet });

  return {
    port,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      while (inFlight.size) await Promise.all([...inFlight]);
    },
  };
}
