// The escalation of an alarm nobody acknowledged (issue 17): a durable job enqueued, in the
// transaction that rings a service (a send, a redirect), for alarmSince + the service's
// transferEscalationMinutes (default 2), keyed by the notice and that alarm's start, so a
// restart loses nothing and each alarm escalates once. At its time, if the notice still
// rings the same alarm unacknowledged, it records the escalation (event, audit), e-mails
// the service's on-call list and the receiving facility's administrators, rings their open
// pages too, and queues the webhook (EMERGENCY_WEBHOOK_URL) for the hospital's paging system.
// An alarm acknowledged, redirected (a new alarm, its own job) or closed since is left alone.
// The service's escalation time raised while the alarm rang: the job hands over to one at the
// new time (lowered: the alarm escalates at the time it was scheduled for).
import type { Config } from '../config/config';
import { defineJob } from '../jobs/registry';
import { enqueueJob } from '../jobs/enqueue-job';
import { enqueueMail } from '../mail/enqueue-mail';
import { alarmedMembersOf } from '../policy/transfer-access';
import { recordTransferAudit } from './transfer-audit';
import { publishTransferChanged, ringTransferAlarm } from './transfer-events';
import { transferPath, type TransferTx } from './transfer-types';

/** Beyond this, a job that is not due yet was enqueued for an earlier escalation time, not by a runner with another clock */
const CLOCK_SLACK_MS = 60_000;

export interface EscalateTransferPayload {
  noticeId: string;
  /** The alarm this job was enqueued for (ISO): a redirect starts another */
  alarmSince: string;
}

/** In the transaction that starts an alarm: its escalation at alarmSince + the service's minutes. */
export async function scheduleTransferEscalation(tx: TransferTx, notice: { id: string; targetServiceId: string; targetFacilityId: string; alarmSince: Date }): Promise<Date> {
  const service = await tx.service.findUniqueOrThrow({ where: { id: notice.targetServiceId }, select: { transferEscalationMinutes: true } });
  const runAt = new Date(notice.alarmSince.getTime() + service.transferEscalationMinutes * 60_000);
  await enqueueJob(tx, { type: 'transfer.escalate', key: `${notice.id}:${notice.alarmSince.toISOString()}`, payload: { noticeId: notice.id, alarmSince: notice.alarmSince.toISOString() }, facilityId: notice.targetFacilityId, runAt });
  return runAt;
}

/** Made for this process's configuration (the e-mail relay, the webhook), like the mail job. `now`: the clock (tests move it). */
export const createEscalateTransferJob = (config: Pick<Config, 'mail' | 'emergencyWebhookUrl'>, options: { now?: () => Date } = {}) =>
  defineJob('transfer.escalate', async (payload, { db, io, logger }) => {
    const notice = await db.transferNotice.findUnique({ where: { id: payload.noticeId }, include: { studies: { take: 1, orderBy: { addedAt: 'asc' } } } });
    if (!notice || notice.status !== 'SENT' || notice.escalatedAt || notice.alarmSince.toISOString() !== payload.alarmSince) return;
    const service = await db.service.findUniqueOrThrow({ where: { id: notice.targetServiceId }, select: { transferEscalationMinutes: true, name: true } });
    const now = options.now?.() ?? new Date();
    const minutes = service.transferEscalationMinutes;
    const dueAt = new Date(notice.alarmSince.getTime() + minutes * 60_000);
    if (dueAt.getTime() > now.getTime()) {
      // A runner whose clock is a little behind the one that enqueued: try again (with backoff)
      if (dueAt.getTime() - now.getTime() <= CLOCK_SLACK_MS) throw new Error('transfer alarm not due to escalate yet');
      // The service's escalation time was raised while the alarm rang: a job at the new time takes
      // over (retrying this one would give up after its attempts, ~40 minutes, and never escalate)
      await db.$transaction((tx) => enqueueJob(tx, { type: 'transfer.escalate', key: `${notice.id}:${payload.alarmSince}:${minutes}m`, payload, facilityId: notice.targetFacilityId, runAt: dueAt }));
      return;
    }
    const escalated = await db.$transaction(async (tx) => {
      const marked = await tx.transferNotice.updateMany({ where: { id: notice.id, status: 'SENT', escalatedAt: null, alarmSince: notice.alarmSince }, data: { escalatedAt: now, revision: { increment: 1 } } });
      if (marked.count !== 1) return null;
      const onCall = await alarmedMembersOf(tx, notice.targetServiceId, { onCallOnly: true });
      const admins = (await tx.membership.findMany({ where: { facilityId: notice.targetFacilityId, role: 'ADMIN', user: { disabled: false } }, select: { userId: true } })).map((row) => row.userId);
      const told = [...new Set([...onCall, ...admins])];
      await tx.transferEvent.create({ data: { noticeId: notice.id, actorId: null, action: 'escalate', at: now, details: JSON.stringify({ minutes, onCall: onCall.length, admins: admins.length, webhook: Boolean(config.emergencyWebhookUrl) }) } });
      await recordTransferAudit(tx, null, { ...notice, studyInstanceUid: notice.studies[0]?.studyInstanceUid }, 'transfer.escalate', { minutes, serviceId: notice.targetServiceId });
      if (config.mail && told.length) {
        const users = await tx.user.findMany({ where: { id: { in: told }, disabled: false, guest: false }, select: { email: true } });
        await enqueueMail(tx, config, { to: users.map((user) => user.email), template: 'transfer.escalated', link: transferPath(notice.id), facilityId: notice.targetFacilityId, eventId: `${notice.id}:escalate:${payload.alarmSince}` });
      }
      if (config.emergencyWebhookUrl) {
        await enqueueJob(tx, { type: 'transfer.webhook', key: `${notice.id}:escalate:${payload.alarmSince}`, payload: { noticeId: notice.id, event: 'transfer.escalated', at: now.toISOString() }, facilityId: notice.targetFacilityId });
      }
      return told;
    });
    if (!escalated) return;
    logger.warn('emergency transfer alarm escalated', { noticeId: notice.id, serviceId: notice.targetServiceId, minutes });
    await ringTransferAlarm({ db, io, logger }, notice, { escalated: true, extraUsers: escalated });
    await publishTransferChanged({ db, io, logger }, notice, 'escalate');
  });
