// The alarm and the news of a notice, AFTER the commit, to user rooms (user:<id>):
// - transfer:alarm to the members of the service it rings (sent, redirected to it) and,
//   escalated, to its on-call list and the receiving facility's administrators;
// - transfer:changed to everyone who sees the notice (lib/policy/transfer-access.ts
//   transferAudience), and to those who saw it before a redirect took it away.
// No patient data in either: the page fetches what its reader may see. A failure to send
// is logged, never an error of the operation that committed.
import type { Namespace } from 'socket.io';
import { alarmedMembersOf, transferAudience, type TransferParties } from '../policy/transfer-access';
import { REALTIME_EVENTS, REALTIME_NAMESPACE, userRoom, type RealtimeClientEvents, type RealtimeServerEvents, type TransferAlarmPayload, type TransferChangedPayload } from '../realtime/events';
import type { TransferContext } from './transfer-types';

function realtimeOf(context: TransferContext): Namespace<RealtimeClientEvents, RealtimeServerEvents> | null {
  return context.io ? (context.io.of(REALTIME_NAMESPACE) as unknown as Namespace<RealtimeClientEvents, RealtimeServerEvents>) : null;
}

/** Rings the service's members (and the extra users, e.g. an escalation's on-call list and admins). */
export async function ringTransferAlarm(context: TransferContext, notice: { id: string; targetServiceId: string; condition: string; etaAt: Date; sentAt: Date }, options: { escalated?: boolean; extraUsers?: readonly string[] } = {}): Promise<void> {
  const realtime = realtimeOf(context);
  if (!realtime) return;
  try {
    const service = await context.db.service.findUnique({ where: { id: notice.targetServiceId }, select: { name: true, facility: { select: { name: true } } } });
    const users = new Set([...(await alarmedMembersOf(context.db, notice.targetServiceId)), ...(options.extraUsers ?? [])]);
    if (!users.size) return;
    const payload: TransferAlarmPayload = {
      noticeId: notice.id,
      serviceId: notice.targetServiceId,
      serviceName: service ? `${service.name}, ${service.facility.name}` : '',
      condition: notice.condition,
      etaAt: notice.etaAt.toISOString(),
      sentAt: notice.sentAt.toISOString(),
      escalated: options.escalated ?? false,
    };
    realtime.to([...users].map(userRoom)).emit(REALTIME_EVENTS.TRANSFER_ALARM, payload);
  } catch (error) {
    context.logger?.warn('transfer:alarm not sent', { noticeId: notice.id, error: String(error) });
  }
}

/** Tells the notice's parties (now, and before a redirect) that it changed. */
export async function publishTransferChanged(context: TransferContext, notice: TransferParties & { id: string; status: string }, change: string, before?: TransferParties): Promise<void> {
  const realtime = realtimeOf(context);
  if (!realtime) return;
  try {
    const users = new Set(await transferAudience(context.db, notice));
    if (before) for (const userId of await transferAudience(context.db, before)) users.add(userId);
    const payload: TransferChangedPayload = { noticeId: notice.id, status: notice.status, change, serviceId: notice.targetServiceId };
    realtime.to([...users].map(userRoom)).emit(REALTIME_EVENTS.TRANSFER_CHANGED, payload);
  } catch (error) {
    context.logger?.warn('transfer:changed not sent', { noticeId: notice.id, error: String(error) });
  }
}
