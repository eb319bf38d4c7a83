// Ask (issue 17): the message thread between the receiving team and the sending team on a
// notice, while it is not cancelled. Each message is audited and told to both sides at once.
import { parseInput } from '../admin/errors';
import { DomainError } from '../errors';
import { queueNoticeChange } from '../federation/notices/relay-notice-change';
import { wakeJobRunners } from '../jobs/job-signals';
import { PolicyError } from '../policy/errors';
import type { Principal } from '../policy/principal';
import { auditedTransfer, loadTransfer } from './load-transfer';
import { recordTransferAudit } from './transfer-audit';
import { publishTransferChanged } from './transfer-events';
import { ZTransferMessage } from './transfer-schemas';
import type { TransferContext } from './transfer-types';

export async function postTransferMessage(context: TransferContext, principal: Principal, noticeId: string, input: unknown, now = new Date()): Promise<{ id: string }> {
  const { notice, sides } = await loadTransfer(context, principal, noticeId);
  if (!sides.includes('SENDER') && !sides.includes('RECEIVER')) throw new PolicyError('FORBIDDEN', 'only the sending and the receiving teams write on a notice');
  const { body } = parseInput(ZTransferMessage, input);
  if (notice.status === 'CANCELLED') throw new DomainError('CONFLICT', 'message on a cancelled notice', { userMessage: 'This notice is cancelled: call the sender instead.' });
  const message = await context.db.$transaction(async (tx) => {
    const created = await tx.transferMessage.create({ data: { noticeId: notice.id, authorId: principal.userId, body, createdAt: now }, select: { id: true } });
    await recordTransferAudit(tx, principal, auditedTransfer(notice), 'transfer.message', { messageId: created.id });
    await queueNoticeChange(tx, notice, 'message', sides.includes('RECEIVER') ? notice.targetFacilityId : notice.sendingFacilityId, created.id);
    return created;
  });
  wakeJobRunners();
  await publishTransferChanged(context, notice, 'message');
  return message;
}
