// Tells open pages that a report changed, AFTER its change committed: the
// study page's badge and the worklist row update without a reload. Sent over
// the /realtime socket to whoever reads the study copy's reports at that
// moment: its facility's members who read reports (facilityReportsRoom:
// EXPERT, ADMIN, REFERRING) and the people reading it through an active
// grant (their own room, user:<id>; lib/policy/report-access.ts
// grantReportReadersOf decides each). A co-signature request or its
// withdrawal changes nothing readers see: it goes to the author and the
// colleague asked only. Opening a draft (a new report, an amendment, an
// addendum) sends nothing: a draft is its author's alone, readers keep the
// signed version until the new one is signed. A failure to send is logged,
// never an error of the operation that committed.
import type { Namespace } from 'socket.io';
import { grantReportReadersOf } from '../policy/report-access';
import type { Runtime } from '../runtime';
import { REALTIME_EVENTS, REALTIME_NAMESPACE, facilityReportsRoom, userRoom, type RealtimeClientEvents, type RealtimeServerEvents, type ReportChangedPayload } from '../realtime/events';

export type ReportEventContext = Pick<Runtime, 'db'> & Partial<Pick<Runtime, 'io' | 'logger'>>;

/** 'readers': everyone who reads the report; or these users only (a co-signature's author and colleague) */
export type ReportEventAudience = 'readers' | { users: string[] };

export async function publishReportChanged(context: ReportEventContext, payload: ReportChangedPayload, audience: ReportEventAudience = 'readers'): Promise<void> {
  if (!context.io) return;
  try {
    const rooms = audience === 'readers' ? [facilityReportsRoom(payload.facilityId), ...(await grantReaderRooms(context, payload))] : audience.users.map(userRoom);
    const realtime = context.io.of(REALTIME_NAMESPACE) as unknown as Namespace<RealtimeClientEvents, RealtimeServerEvents>;
    // One emit to all rooms: a socket in several of them gets the event once
    realtime.to(rooms).emit(REALTIME_EVENTS.REPORT_CHANGED, payload);
  } catch (error) {
    context.logger?.warn('report:changed not sent', { reportId: payload.reportId, error: String(error) });
  }
}

async function grantReaderRooms(context: ReportEventContext, payload: ReportChangedPayload): Promise<string[]> {
  const { facilityId, studyInstanceUid } = payload;
  const study = await context.db.study.findUnique({ where: { facilityId_studyInstanceUid: { facilityId, studyInstanceUid } }, select: { id: true, facilityId: true } });
  return study ? (await grantReportReadersOf(context.db, study)).map(userRoom) : [];
}
