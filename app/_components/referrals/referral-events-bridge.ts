'use client';
// One /realtime socket per page for second-opinion news (referral:changed,
// sent after every change of a case to the user rooms of its parties): the
// header's counts open it (useReferralEvents) and pass each event on as a
// window event, so the inbox list and any other part of the page follow the
// same socket. The event carries no patient data; listeners refetch.
// The same socket passes on access:revoked (a study the user read is no longer
// theirs): pages showing its images listen (app/_components/consent/access-ended-guard.tsx),
// and the emergency transfer notices' transfer:alarm and transfer:changed (issue 17): the
// global alarm (app/_components/transfers/transfer-alarm.tsx), the board and the notice page listen.
import { useEffect } from 'react';
import { io, type Socket } from 'socket.io-client';
import { REALTIME_EVENTS, REALTIME_NAMESPACE, type AccessRevokedPayload, type RealtimeClientEvents, type RealtimeServerEvents, type ReferralChangedPayload, type TransferAlarmPayload, type TransferChangedPayload, socketClientOptions } from '../../../lib/realtime/events';

export const REFERRAL_CHANGED_WINDOW_EVENT = 'telepacs:referral-changed';
export const ACCESS_REVOKED_WINDOW_EVENT = 'telepacs:access-revoked';
export const TRANSFER_ALARM_WINDOW_EVENT = 'telepacs:transfer-alarm';
export const TRANSFER_CHANGED_WINDOW_EVENT = 'telepacs:transfer-changed';
/** After a reconnection the transfer listeners fetch again too (news may have been missed) */
export const TRANSFER_RECONNECTED: TransferChangedPayload = { noticeId: '', status: '', change: 'reconnected', serviceId: '' };

/** The window event after a reconnection: no case named, anything may have changed */
export const RECONNECTED: ReferralChangedPayload = { referralId: '', status: '', priority: '', change: 'reconnected' };

/** Opens the page's referral socket (call it once per page: the header does). */
export function useReferralEventsSocket(): void {
  useEffect(() => {
    const socket: Socket<RealtimeServerEvents, RealtimeClientEvents> = io(REALTIME_NAMESPACE, socketClientOptions());
    let wasConnected = false;
    socket.on('connect', () => {
      document.documentElement.setAttribute('data-referral-events', 'connected');
      // Back after a lost connection: news may have been missed, every listener fetches again
      if (wasConnected) {
        window.dispatchEvent(new CustomEvent<ReferralChangedPayload>(REFERRAL_CHANGED_WINDOW_EVENT, { detail: RECONNECTED }));
        window.dispatchEvent(new CustomEvent<TransferChangedPayload>(TRANSFER_CHANGED_WINDOW_EVENT, { detail: TRANSFER_RECONNECTED }));
      }
      wasConnected = true;
    });
    socket.on('disconnect', () => document.documentElement.setAttribute('data-referral-events', 'disconnected'));
    socket.on(REALTIME_EVENTS.REFERRAL_CHANGED, (payload: ReferralChangedPayload) => {
      window.dispatchEvent(new CustomEvent<ReferralChangedPayload>(REFERRAL_CHANGED_WINDOW_EVENT, { detail: payload }));
    });
    socket.on(REALTIME_EVENTS.ACCESS_REVOKED, (payload: AccessRevokedPayload) => {
      window.dispatchEvent(new CustomEvent<AccessRevokedPayload>(ACCESS_REVOKED_WINDOW_EVENT, { detail: payload }));
    });
    socket.on(REALTIME_EVENTS.TRANSFER_ALARM, (payload: TransferAlarmPayload) => {
      window.dispatchEvent(new CustomEvent<TransferAlarmPayload>(TRANSFER_ALARM_WINDOW_EVENT, { detail: payload }));
    });
    socket.on(REALTIME_EVENTS.TRANSFER_CHANGED, (payload: TransferChangedPayload) => {
      window.dispatchEvent(new CustomEvent<TransferChangedPayload>(TRANSFER_CHANGED_WINDOW_EVENT, { detail: payload }));
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

/** Calls `listener` for every transfer:changed event (and after a reconnection, with noticeId ''). */
export function useTransferChanged(listener: (payload: TransferChangedPayload) => void): void {
  useEffect(() => {
    const onChange = (event: Event) => listener((event as CustomEvent<TransferChangedPayload>).detail);
    window.addEventListener(TRANSFER_CHANGED_WINDOW_EVENT, onChange);
    return () => window.removeEventListener(TRANSFER_CHANGED_WINDOW_EVENT, onChange);
  }, [listener]);
}

/** Calls `listener` for every transfer:alarm event the page's socket receives. */
export function useTransferAlarm(listener: (payload: TransferAlarmPayload) => void): void {
  useEffect(() => {
    const onAlarm = (event: Event) => listener((event as CustomEvent<TransferAlarmPayload>).detail);
    window.addEventListener(TRANSFER_ALARM_WINDOW_EVENT, onAlarm);
    return () => window.removeEventListener(TRANSFER_ALARM_WINDOW_EVENT, onAlarm);
  }, [listener]);
}
