// HL7_PORT: the bridge's MLLP listener, started by lib/server/start.ts when set.
import type { Runtime } from '../runtime';
import { buildAck } from './build-ack';
import { Hl7Error } from './hl7-error';
import { peekHeader, receiveHl7Message } from './receive-message';
import { hl7Actor } from './hl7-message';
import { startMllpServer, type MllpServer } from './mllp-server';
import { writeAuditEvent } from '../audit/write-audit-event';
import { findHomeFacilityId } from '../bootstrap/ensure-defaults';

export async function startHl7Listener(runtime: Runtime): Promise<MllpServer | undefined> {
  const { config, logger, db } = runtime;
  if (config.hl7.port === undefined) return undefined;
  const context = { db, archive: runtime.archive, config, logger };
  return startMllpServer({
    port: config.hl7.port,
    logger,
    onMessage: async (bytes, peer) => (await receiveHl7Message(context, bytes, peer.remoteAddress)).frames,
    // Not stored (it would be the 16 MB we refuse to hold), but answered and audited
    onTooLarge: async (head, bytes, peer) => {
      const header = peekHeader(head.toString('latin1'));
      const error = new Hl7Error(207, `the message is ${bytes} bytes, over the limit of this archive`, 'MSH', true);
      logger.warn('HL7 message too large', { remoteAddress: peer.remoteAddress, bytes, controlId: header.controlId });
      await writeAuditEvent(
        db,
        {
          actor: hl7Actor(header),
          action: 'hl7.refuse',
          outcome: 'DENIED',
          facilityId: await findHomeFacilityId(db),
          details: { messageType: [header.messageType, header.triggerEvent].filter(Boolean).join('^'), controlId: header.controlId, reason: error.message },
        },
        logger,
      );
      return [buildAck({ header, code: 'AR', error, ourApplication: config.hl7.application })];
    },
  });
}
