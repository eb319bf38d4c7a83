'use client';
// One /realtime socket per page for second-opinion news (referral:changed,
// sent after every change of a case to the user rooms of its parties): the
// header's counts open it (useReferralEvents) and pass each event on as a
// window event, so the inbox list and any other part of the page follow the
// same socket. The event carries no patient data; listeners refetch.
// The same socket passes on access:revoked (a study the user read is no longer
// theirs): pages showing its images listen (app/_components/consent/access-ended-guard.tsx).
import { useEffect } from 'react';
import { io, type Socket } from 'socket.io-client';
import { REALTIME_EVENTS, REALTIME_NAMESPACE, type AccessRevokedPayload, type RealtimeClientEvents, type RealtimeServerEvents, type ReferralChangedPayload } from '../../../lib/realtime/events';

export const REFERRAL_CHANGED_WINDOW_EVENT = 'telepacs:referral-changed';
export const ACCESS_REVOKED_WINDOW_EVENT = 'telepacs:access-revoked';

/** The window event after a reconnection: no case named, anything may have changed */
export const RECONNECTED: ReferralChangedPayload = { referralId: '', status: '', priority: '', change: 'reconnected' };

/** Opens the page's referral socket (call it once per page: the header does). */
export function useReferralEventsSocket(): void {
  useEffect(() => {
    const socket: Socket<RealtimeServerEvents, RealtimeClientEvents> = io(REALTIME_NAMESPACE, { withCredentials: true });
    let wasConnected = false;
    socket.on('connect', () => {
      document.documentElement.setAttribute('data-referral-events', 'connected');
      // Back after a lost connection: news may have been missed, every listener fetches again
      if (wasConnected) window.dispatchEvent(new CustomEvent<ReferralChangedPayload>(REFERRAL_CHANGED_WINDOW_EVENT, { detail: RECONNECTED }));
      wasConnected = true;
    });
    socket.on('disconnect', () => document.documentElement.setAttribute('data-referral-events', 'disconnected'));
    socket.on(REALTIME_EVENTS.REFERRAL_CHANGED, (payload: ReferralChangedPayload) => {
      window.dispatchEvent(new CustomEvent<ReferralChangedPayload>(REFERRAL_CHANGED_WINDOW_EVENT, { detail: payload }));
    });
    socket.on(REALTIME_EVENTS.ACCESS_REVOKED, (payload: AccessRevokedPayload) => {
      window.dispatchEvent(new CustomEvent<AccessRevokedPayload>(ACCESS_REVOKED_WINDOW_EVENT, { detail: payload }));
    });
    return () => {
      socket.close();
    };
  }, []);
}

/** Calls `listener` for every referral:changed event the page's socket receives. */
export function useReferralChanged(listener: (payload: ReferralChangedPayload) => void): void {
  useEffect(() => {
    const onChange = (event: Event) => listener((event as CustomEvent<ReferralChangedPayload>).detail);
    window.addEventListener(REFERRAL_CHANGED_WINDOW_EVENT, onChange);
    return () => window.removeEventListener(REFERRAL_CHANGED_WINDOW_EVENT, onChange);
  }, [listener]);
}
