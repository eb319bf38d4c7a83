// EMERGENCY_WEBHOOK_URL (issue 17): a hospital plugs its paging system into escalated
// transfer alarms. The escalation job queues this job in its transaction; this job POSTs
// one JSON object and retries with the jobs' backoff until the endpoint answers 2xx:
//   {"event": "transfer.escalated", "noticeId", "at", "service": {"id", "name"},
//    "facility": {"id", "name"}, "condition", "etaAt", "status", "link"}
// Like the e-mails, it carries no patient data (no name, ID or free text): the paging
// system shows the condition, the service and the ETA, and the link opens the notice.
// Idempotency-Key is the job's key: an endpoint that got it twice (a crash after its 2xx)
// can tell.
import type { Config } from '../config/config';
import { defineJob } from '../jobs/registry';
import { transferPath } from './transfer-types';

export interface TransferWebhookPayload {
  noticeId: string;
  event: 'transfer.escalated';
  at: string;
}

const TIMEOUT_MS = 10_000;

export const createTransferWebhookJob = (config: Pick<Config, 'emergencyWebhookUrl' | 'publicUrl'>) =>
  defineJob('transfer.webhook', async (payload, { db, logger, job }) => {
    if (!config.emergencyWebhookUrl) {
      logger.warn('transfer webhook dropped: EMERGENCY_WEBHOOK_URL is not set any more', { noticeId: payload.noticeId });
      return;
    }
    const notice = await db.transferNotice.findUnique({ where: { id: payload.noticeId }, select: { id: true, condition: true, etaAt: true, status: true, targetServiceId: true, targetFacilityId: true } });
    if (!notice) return;
    const service = await db.service.findUnique({ where: { id: notice.targetServiceId }, select: { name: true, facility: { select: { id: true, name: true } } } });
    const body = {
      event: payload.event,
      noticeId: notice.id,
      at: payload.at,
      service: { id: notice.targetServiceId, name: service?.name ?? '' },
      facility: { id: notice.targetFacilityId, name: service?.facility.name ?? '' },
      condition: notice.condition,
      etaAt: notice.etaAt.toISOString(),
      status: notice.status,
      link: `${config.publicUrl ?? ''}${transferPath(notice.id)}`,
    };
    const response = await fetch(config.emergencyWebhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': job.key, 'user-agent': 'Telepacs' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`webhook answered ${response.status}`);
    logger.info('transfer webhook delivered', { noticeId: notice.id, status: response.status });
  });
