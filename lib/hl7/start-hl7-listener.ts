// HL7_PORT: the bridge's MLLP listener, started by lib/server/start.ts when set.
import type { Runtime } from '../runtime';
import { receiveHl7Message, refuseTooLarge } from './receive-message';
import { startMllpServer, type MllpServer } from './mllp-server';

export async function startHl7Listener(runtime: Runtime): Promise<MllpServer | undefined> {
  const { config, logger, db } = runtime;
  if (config.hl7.port === undefined) return undefined;
  const context = { db, archive: runtime.archive, config, logger };
  return startMllpServer({
    port: config.hl7.port,
    logger,
    onMessage: async (bytes, peer) => (await receiveHl7Message(context, bytes, peer.remoteAddress)).frames,
    onTooLarge: async (head, bytes, peer) => (await refuseTooLarge(context, head, bytes, peer.remoteAddress)).frames,
  });
}
