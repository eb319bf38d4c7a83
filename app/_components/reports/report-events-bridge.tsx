'use client';
// One /realtime socket per page for report changes (report:changed, sent
// after a release or a signature to the facility's report readers): each
// event is passed on as a window event, so that any number of badges on the
// page (a worklist of 25 rows) update without a socket each.
import { useEffect } from 'react';
import { io, type Socket } from 'socket.io-client';
import { REALTIME_EVENTS, REALTIME_NAMESPACE, type RealtimeClientEvents, type RealtimeServerEvents, type ReportChangedPayload, socketClientOptions } from '../../../lib/realtime/events';

export const REPORT_CHANGED_WINDOW_EVENT = 'telepacs:report-changed';

export function ReportEventsBridge() {
  useEffect(() => {
    const socket: Socket<RealtimeServerEvents, RealtimeClientEvents> = io(REALTIME_NAMESPACE, socketClientOptions());
    socket.on('connect', () => document.documentElement.setAttribute('data-report-events', 'connected'));
    socket.on(REALTIME_EVENTS.REPORT_CHANGED, (payload: ReportChangedPayload) => {
      window.dispatchEvent(new CustomEvent<ReportChangedPayload>(REPORT_CHANGED_WINDOW_EVENT, { detail: payload }));
    });
    return () => {
      socket.close();
    };
  }, []);
  return null;
}
