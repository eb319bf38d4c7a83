// Emergency images first (issue 19): a routine transfer between nodes pauses between its
// batches while an emergency transfer (priority 10: a notice's images) is being sent from
// this node, so the CT of a stroke patient does not share the link, the disks and the
// receiver with a routine archive transfer. Only a transfer actually moving counts (SENDING,
// no error, progress within the last 30 s): one waiting for its node to come back never holds
// routine work. The pause is bounded; the job's lease is renewed by the runner meanwhile.
import type { Database } from '../../../prisma/database';
import { EMERGENCY_TRANSFER_PRIORITY } from '../transfers/create-out-transfer';

const ACTIVE_WITHIN_MS = 30_000;

export async function yieldToEmergencyTransfers(db: Pick<Database, 'federatedTransfer'>, priority: number, options: { maxWaitMs?: number; pollMs?: number } = {}): Promise<number> {
  if (priority >= EMERGENCY_TRANSFER_PRIORITY) return 0;
  const started = Date.now();
  const deadline = started + (options.maxWaitMs ?? 10 * 60_000);
  while (Date.now() < deadline) {
    const moving = await db.federatedTransfer.count({ where: { direction: 'OUT', priority: { gte: EMERGENCY_TRANSFER_PRIORITY }, status: 'SENDING', lastError: null, updatedAt: { gt: new Date(Date.now() - ACTIVE_WITHIN_MS) } } });
    if (!moving) break;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
  }
  return Date.now() - started;
}
