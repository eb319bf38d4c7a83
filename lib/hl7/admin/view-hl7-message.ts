// One message of the HL7 tab: the raw text and the acknowledgment as sent,
// segment per line. Holds patient data: audited (admin.hl7_message.view).
// A message the administrator may not read is NOT_FOUND, like a missing one.
import { administrationAudit } from '../../admin/administration-audit';
import type { AdminActor, AdminContext } from '../../admin/context';
import { recordAudit } from '../../audit/record-audit';
import { authorizeHl7MessageLog } from '../../policy/hl7-message-access';
import { PolicyError } from '../../policy/errors';
import { REPROCESSABLE_STATUSES, segmentLines, type Hl7MessageDetail } from './hl7-message-views';

export async function viewHl7Message(context: Pick<AdminContext, 'db'>, actor: AdminActor, facilityId: string, messageId: string): Promise<Hl7MessageDetail> {
  const { db } = context;
  const scope = await authorizeHl7MessageLog(db, actor.userId, facilityId);
  const row = await db.hl7Message.findFirst({ where: { AND: [scope, { id: messageId }] } });
  if (!row) throw new PolicyError('NOT_FOUND', 'HL7 message not found');
  const patient = row.patientRef ? await db.patient.findUnique({ where: { id: row.patientRef }, select: { patientId: true } }) : null;
  await recordAudit(db, {
    ...administrationAudit(actor, {
      action: 'admin.hl7_message.view',
      facilityId,
      resource: `hl7:${row.id}`,
      details: { messageId: row.id, messageType: row.messageType, controlId: row.controlId, sendingApplication: row.sendingApplication, sendingFacility: row.sendingFacility },
    }),
    patientId: patient?.patientId ?? null,
  });
  return {
    id: row.id,
    direction: row.direction === 'OUT' ? 'OUT' : 'IN',
    receivedAt: row.receivedAt,
    processedAt: row.processedAt,
    sendingApplication: row.sendingApplication,
    sendingFacility: row.sendingFacility,
    messageType: row.messageType,
    controlId: row.controlId,
    version: row.version,
    remoteAddress: row.remoteAddress,
    status: row.status,
    ackCode: row.ackCode,
    ackText: row.ackText,
    attempts: row.attempts,
    error: row.error,
    unowned: row.facilityId === null,
    reprocessable: row.direction === 'IN' && REPROCESSABLE_STATUSES.includes(row.status),
    raw: segmentLines(row.raw),
    ack: segmentLines(row.ack),
  };
}
