// "Process again" on an inbound message that failed (ERROR, REJECTED): the
// bridge runs it anew (lib/hl7/receive-message.ts processStoredHl7Message:
// the sender looked up again, the handler of its type, a new ACK stored on
// the row — not sent: the sender's connection is long gone). One claim on the
// status first, so that two clicks run it once. Audited as
// admin.hl7_message.reprocess with the new ACK code.
import { administrationAudit } from '../../admin/administration-audit';
import type { AdminActor } from '../../admin/context';
import { AdminError } from '../../admin/errors';
import { recordAudit } from '../../audit/record-audit';
import { authorizeHl7MessageLog } from '../../policy/hl7-message-access';
import { PolicyError } from '../../policy/errors';
import type { Hl7Context } from '../hl7-context';
import { processStoredHl7Message } from '../receive-message';
import { REPROCESSABLE_STATUSES } from './hl7-message-views';

export interface ReprocessedHl7Message {
  messageId: string;
  status: string;
  ackCode: string;
  ackText: string;
  attempts: number;
}

export async function reprocessHl7Message(context: Hl7Context, actor: AdminActor, facilityId: string, messageId: string): Promise<ReprocessedHl7Message> {
  const { db } = context;
  const scope = await authorizeHl7MessageLog(db, actor.userId, facilityId);
  const row = await db.hl7Message.findFirst({
    where: { AND: [scope, { id: messageId, direction: 'IN' }] },
    select: { status: true, messageType: true, controlId: true, sendingApplication: true, sendingFacility: true },
  });
  if (!row) throw new PolicyError('NOT_FOUND', 'HL7 message not found');
  const notAgain = () => new AdminError('CONFLICT', `Only a message that failed (Error or Rejected) can be processed again; this one is ${row.status.toLowerCase()} now.`);
  if (!REPROCESSABLE_STATUSES.includes(row.status)) throw notAgain();
  const claimed = await db.hl7Message.updateMany({ where: { id: messageId, status: row.status }, data: { status: 'RECEIVED' } });
  if (claimed.count !== 1) throw notAgain();
  try {
    await processStoredHl7Message(context, messageId);
  } catch (error) {
    // A failure of ours (the database), not of the message: leave it as it was, to be tried again
    await db.hl7Message.updateMany({ where: { id: messageId, status: 'RECEIVED' }, data: { status: row.status } });
    throw error;
  }
  const after = await db.hl7Message.findUniqueOrThrow({ where: { id: messageId }, select: { status: true, ackCode: true, ackText: true, attempts: true } });
  await recordAudit(
    db,
    administrationAudit(actor, {
      action: 'admin.hl7_message.reprocess',
      facilityId,
      resource: `hl7:${messageId}`,
      details: {
        messageId,
        messageType: row.messageType,
        controlId: row.controlId,
        sendingApplication: row.sendingApplication,
        sendingFacility: row.sendingFacility,
        ackCode: after.ackCode,
        from: row.status,
        to: after.status,
      },
    }),
  );
  return { messageId, ...after };
}
