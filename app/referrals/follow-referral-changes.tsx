'use client';
// The inbox and "My referrals" follow every change of a case the user takes
// part in (referral:changed through the header's socket): the list is
// rendered again from the server, so a new case appears and a case another
// expert claimed leaves, without a reload. Events in a burst make one refresh.
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useRef } from 'react';
import { useReferralChanged } from '../_components/referrals/referral-events-bridge';

export function FollowReferralChanges() {
  const router = useRouter();
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  useReferralChanged(
    useCallback(() => {
      window.clearTimeout(timer.current);
      timer.current = window.setTimeout(() => router.refresh(), 150);
    }, [router]),
  );
  return null;
}
