// The HL7 tab's message log: the newest messages in and out of the facility
// (lib/policy/hl7-message-access.ts decides which), filtered by status and
// direction. The rows name patients' messages: reading the list is audited
// (admin.hl7_message.view); the raw text is only on the detail.
import type { AdminActor, AdminContext } from '../../admin/context';
import { AdminError } from '../../admin/errors';
import { recordAudit } from '../../audit/record-audit';
import { administrationAudit } from '../../admin/administration-audit';
import { authorizeHl7MessageLog } from '../../policy/hl7-message-access';
import { HL7_MESSAGE_STATUSES, REPROCESSABLE_STATUSES, type Hl7MessageRow } from './hl7-message-views';

export const HL7_MESSAGES_SHOWN = 50;
const MAX_LIMIT = 500;

export interface Hl7MessageFilters {
  status?: string;
  direction?: string;
  limit?: string | number;
}

export async function listHl7Messages(context: Pick<AdminContext, 'db'>, actor: AdminActor, facilityId: string, filters: Hl7MessageFilters = {}): Promise<Hl7MessageRow[]> {
  const { db } = context;
  const scope = await authorizeHl7MessageLog(db, actor.userId, facilityId);
  const status = filters.status?.trim().toUpperCase() || undefined;
  const direction = filters.direction?.trim().toUpperCase() || undefined;
  if (status && !(HL7_MESSAGE_STATUSES as readonly string[]).includes(status)) {
    throw new AdminError('INVALID_INPUT', 'Unknown status.', { status: `Choose one of ${HL7_MESSAGE_STATUSES.join(', ')}` });
  }
  if (direction && direction !== 'IN' && direction !== 'OUT') throw new AdminError('INVALID_INPUT', 'Unknown direction.', { direction: 'Choose IN or OUT' });
  const limit = filters.limit === undefined || filters.limit === '' ? HL7_MESSAGES_SHOWN : Number(filters.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new AdminError('INVALID_INPUT', 'Unknown limit.', { limit: `A whole number from 1 to ${MAX_LIMIT}` });
  const rows = await db.hl7Message.findMany({
    where: { AND: [scope, ...(status ? [{ status }] : []), ...(direction ? [{ direction }] : [])] },
    orderBy: [{ receivedAt: 'desc' }, { id: 'desc' }],
    take: limit,
    select: {
      id: true,
      direction: true,
      facilityId: true,
      receivedAt: true,
      processedAt: true,
      sendingApplication: true,
      sendingFacility: true,
      messageType: true,
      controlId: true,
      status: true,
      ackCode: true,
      ackText: true,
      attempts: true,
    },
  });
  await recordAudit(
    db,
    administrationAudit(actor, {
      action: 'admin.hl7_message.view',
      facilityId,
      resource: 'hl7-messages',
      details: { filters: { ...(status ? { status } : {}), ...(direction ? { direction } : {}), limit: String(limit) }, shown: rows.length },
    }),
  );
  return rows.map(({ facilityId: owner, ...row }) => ({
    ...row,
    direction: row.direction === 'OUT' ? 'OUT' : 'IN',
    unowned: owner === null,
    reprocessable: row.direction === 'IN' && REPROCESSABLE_STATUSES.includes(row.status),
  }));
}
