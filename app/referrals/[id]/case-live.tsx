'use client';
// Keeps the case page current: one /realtime socket (the session cookie picks
// the user room); a referral:changed of this case refreshes the page from the
// server (what this reader may see, the new actions and revision). While the
// page is shown, the thread counts as read (POST /read), now and after each
// change that brought unread messages.
import { useRouter } from 'next/navigation';
import { useEffect } from 'react';
import { io, type Socket } from 'socket.io-client';
import { REALTIME_EVENTS, REALTIME_NAMESPACE, type RealtimeClientEvents, type RealtimeServerEvents, socketClientOptions } from '../../../lib/realtime/events';

/** `unreadKey`: null when nothing is unread; else changes with every new unread message (the count alone can stay the same) */
export function CaseLive({ referralId, unreadKey }: { referralId: string; unreadKey: string | null }) {
  const router = useRouter();
  useEffect(() => {
    const socket: Socket<RealtimeServerEvents, RealtimeClientEvents> = io(REALTIME_NAMESPACE, socketClientOptions());
    socket.on('connect', () => document.documentElement.setAttribute('data-case-live', 'connected'));
    socket.on('disconnect', () => document.documentElement.setAttribute('data-case-live', 'disconnected'));
    socket.on(REALTIME_EVENTS.REFERRAL_CHANGED, (payload) => {
      if (payload.referralId === referralId) router.refresh();
    });
    return () => {
      socket.close();
    };
  }, [referralId, router]);

  useEffect(() => {
    if (unreadKey === null) return;
    const markRead = () => {
      if (document.visibilityState !== 'visible') return;
      void fetch(`/api/referrals/${encodeURIComponent(referralId)}/read`, { method: 'POST', credentials: 'same-origin' }).catch(() => undefined);
    };
    markRead();
    document.addEventListener('visibilitychange', markRead);
    return () => document.removeEventListener('visibilitychange', markRead);
  }, [referralId, unreadKey]);
  return null;
}
