'use client';
// Keeps a transfer page current: the header's /realtime socket passes transfer:changed
// (and transfer:alarm) on as window events (referral-events-bridge.ts); a change of the
// notice shown (`noticeId`), or of any notice on a list (no `noticeId`), renders the page
// again from the server.
import { useRouter } from 'next/navigation';
import { useCallback } from 'react';
import type { TransferChangedPayload } from '../../../lib/realtime/events';
import { useTransferAlarm, useTransferChanged } from '../../_components/referrals/referral-events-bridge';

export function TransferLive({ noticeId }: { noticeId?: string }) {
  const router = useRouter();
  useTransferChanged(
    useCallback(
      (payload: TransferChangedPayload) => {
        if (!noticeId || !payload.noticeId || payload.noticeId === noticeId) router.refresh();
      },
      [noticeId, router],
    ),
  );
  useTransferAlarm(
    useCallback(() => {
      if (!noticeId) router.refresh();
    }, [noticeId, router]),
  );
  return null;
}
