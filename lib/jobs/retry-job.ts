// An admin's "Retry" on a failing job of their facility: due now, with a fresh
// count of attempts. Audited as admin.job.retry in the same transaction.
import type { AdminActor, AdminContext } from '../admin/context';
import { AdminError } from '../admin/errors';
import { recordAudit } from '../audit/record-audit';
import { authorizeAdminArea } from '../policy/admin-area';
import { PolicyError } from '../policy/errors';
import { wakeJobRunners } from './job-signals';

export async function retryJob(context: Pick<AdminContext, 'db'>, actor: AdminActor, facilityId: string, jobId: string): Promise<void> {
  const { db } = context;
  await authorizeAdminArea(db, actor.userId, facilityId);
  await db.$transaction(async (tx) => {
    const job = await tx.job.findFirst({ where: { id: jobId, facilityId }, select: { type: true, key: true, state: true, attempts: true, lastError: true } });
    if (!job) throw new PolicyError('NOT_FOUND', 'job not found');
    if (job.state === 'DONE') throw new AdminError('CONFLICT', 'This job has already succeeded.');
    // Only a job that waits (PENDING) or gave up (FAILED) is moved; a RUNNING one is left to its runner
    const moved = await tx.job.updateMany({
      where: { id: jobId, state: { in: ['PENDING', 'FAILED'] } },
      data: { state: 'PENDING', attempts: 0, runAt: new Date(), finishedAt: null },
    });
    if (moved.count !== 1) throw new AdminError('CONFLICT', 'This job is running now; look again in a moment.');
    await recordAudit(tx, {
      actor: actor.email,
      actorUserId: actor.userId,
      action: 'admin.job.retry',
      outcome: 'SUCCESS',
      facilityId,
      sourceIp: actor.ip,
      resource: `jobs/${jobId}`,
      details: { type: job.type, key: job.key, previousState: job.state, attempts: job.attempts, lastError: job.lastError },
    });
  });
  wakeJobRunners();
}
