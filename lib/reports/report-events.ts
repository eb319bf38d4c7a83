// Tells open pages that a report changed, AFTER its change committed: the
// study page's badge and the worklist row update without a reload. Sent over
// the /realtime socket to the members of the study copy's facility who may
// read its reports (facilityReportsRoom: EXPERT, ADMIN, REFERRING); users who
// read the study through a grant see the change on their next load. A
// failure to send is logged, never an error of the operation that committed.
import type { Runtime } from '../runtime';
import { REALTIME_EVENTS, REALTIME_NAMESPACE, facilityReportsRoom, type RealtimeClientEvents, type RealtimeServerEvents, type ReportChangedPayload } from '../realtime/events';

export type ReportEventContext = Partial<Pick<Runtime, 'io' | 'logger'>>;

export function publishReportChanged(context: ReportEventContext, payload: ReportChangedPayload): void {
  if (!context.io) return;
  try {
    const realtime = context.io.of(REALTIME_NAMESPACE) as unknown as import('socket.io').Namespace<RealtimeClientEvents, RealtimeServerEvents>;
    realtime.to(facilityReportsRoom(payload.facilityId)).emit(REALTIME_EVENTS.REPORT_CHANGED, payload);
  } catch (error) {
    context.logger?.warn('report:changed not sent', { reportId: payload.reportId, error: String(error) });
  }
}
